import type { ProjectView } from '@enclave/contracts';
import { Link } from '../../../app/Link';
import { useMembers } from '../hooks/useProjects';
import type { ProjectPermissions } from './member-roles';
import { projectPath, type ProjectTab } from './project-tabs';

interface Step {
  tab: ProjectTab;
  title: string;
  state: string;
  done: boolean;
  action: string;
}

const REVIEW: Record<ProjectView['reviewMode'], string> = {
  none: 'no review',
  all: 'every submission reviewed',
  sample: 'a sample reviewed',
};

/** Where the project stands and what to do next, each step a link to its section. */
export function OverviewSection({
  project,
  permissions,
}: {
  project: ProjectView;
  permissions: ProjectPermissions;
}) {
  const members = useMembers(project.id, permissions.members);
  const counts = project.taskCounts;
  const labellers = members.data?.length ?? 0;
  const config = project.labelConfig;
  const percent = counts && counts.total > 0 ? Math.round((counts.completed / counts.total) * 100) : 0;

  const steps: Step[] = [
    {
      tab: 'configuration',
      title: 'Label configuration',
      state: `Version ${project.configVersion}: ${config.fields.length} field${config.fields.length === 1 ? '' : 's'}, ${config.questions.length} question${config.questions.length === 1 ? '' : 's'}.`,
      done: true,
      action: 'Check the configuration',
    },
  ];
  if (permissions.importTasks || permissions.listTasks) {
    steps.push({
      tab: permissions.importTasks ? 'import' : 'tasks',
      title: 'Tasks',
      state: counts ? `${counts.total.toLocaleString()} imported.` : 'Not known.',
      done: Boolean(counts && counts.total > 0),
      action: permissions.importTasks ? 'Import tasks' : 'See the tasks',
    });
  }
  if (permissions.members) {
    steps.push({
      tab: 'members',
      title: 'Members',
      state: members.data ? `${labellers} member${labellers === 1 ? '' : 's'}.` : 'Loading…',
      done: labellers > 1,
      action: 'Add members',
    });
  }
  if (permissions.stats) {
    steps.push({
      tab: 'statistics',
      title: 'Progress',
      state: counts
        ? `${counts.completed.toLocaleString()} of ${counts.total.toLocaleString()} tasks complete (${percent}%).`
        : '',
      done: Boolean(counts && counts.total > 0 && counts.completed === counts.total),
      action: 'Watch the statistics',
    });
  }
  if (permissions.exportData) {
    steps.push({
      tab: 'export',
      title: 'Export',
      state: 'JSON lines, JSON, CSV, COCO, CoNLL or preference pairs.',
      done: false,
      action: 'Download the annotations',
    });
  }

  return (
    <section className="card" aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      {project.description ? <p>{project.description}</p> : null}
      {counts ? (
        <div className="overview-progress">
          <progress max={Math.max(1, counts.total)} value={counts.completed} aria-label="Tasks complete" />
          <span className="muted">
            {counts.completed.toLocaleString()} of {counts.total.toLocaleString()} tasks complete ·{' '}
            {counts.open.toLocaleString()} open
          </span>
        </div>
      ) : null}
      <p className="muted small">
        {project.overlap} annotator{project.overlap === 1 ? '' : 's'} per task · leases of{' '}
        {Math.round(project.leaseSeconds / 60)} min · {REVIEW[project.reviewMode]}
        {project.reviewMode === 'sample' ? ` (${project.reviewSamplePercent}%)` : ''} · {project.goldPercent}%
        gold
        {project.qualification
          ? ` · qualification: ${project.qualification.tasks} gold tasks at ${Math.round(project.qualification.minAccuracy * 100)}%`
          : ''}
      </p>
      <ol className="steps">
        {steps.map((s) => (
          <li key={s.tab} className={s.done ? 'steps__item steps__item--done' : 'steps__item'}>
            <span className="steps__title">{s.title}</span>
            <span className="muted">{s.state}</span>
            <Link to={projectPath(project.id, s.tab)}>{s.action}</Link>
          </li>
        ))}
      </ol>
    </section>
  );
}
