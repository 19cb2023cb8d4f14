import type { ProjectView } from '@enclave/contracts';
import { canLabelIn, canReviewIn } from '../../../app/access';
import { Link } from '../../../app/Link';
import { pathTo } from '../../../app/router';
import type { PageProps } from '../../../app/Routes';
import { useSession } from '../../../app/session';
import { ListStatus } from '../../../shared/components/ListStatus';
import { titleCase } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { canManageProject } from '../../projects/components/member-roles';
import { projectPath } from '../../projects/components/project-tabs';
import { useMyProjects, useProjectDetail } from '../hooks/useMyProjects';

export const LABEL_PATH = '/projects/:id/label';
export const REVIEW_PATH = '/projects/:id/review';

/** Progress from the project's task counts: fetched per card, since the list carries no counts. */
function Progress({ project }: { project: ProjectView }) {
  const detail = useProjectDetail(project.id);
  const counts = detail.data?.taskCounts;
  if (!counts)
    return (
      <p className="muted project-card__progress">
        {detail.isError ? 'Progress unavailable' : 'Loading progress…'}
      </p>
    );
  if (counts.total === 0) return <p className="muted project-card__progress">No tasks yet</p>;
  const percent = Math.round((counts.completed / counts.total) * 100);
  return (
    <div className="project-card__progress">
      <progress max={counts.total} value={counts.completed} aria-label={`Progress of ${project.name}`}>
        {percent}%
      </progress>
      <span className="muted">
        {counts.completed.toLocaleString()} of {counts.total.toLocaleString()} tasks complete ({percent}%)
      </span>
    </div>
  );
}

function ProjectCard({ project }: { project: ProjectView }) {
  const { ability } = useSession();
  const label = canLabelIn(ability, project) && project.status === 'active';
  const review =
    canReviewIn(ability, project) && project.status === 'active' && project.reviewMode !== 'none';
  return (
    <li className="card project-card">
      <div className="project-card__head">
        <h2 className="project-card__name">{project.name}</h2>
        <span className="badge">{project.myRole ? titleCase(project.myRole) : 'Not a member'}</span>
        {project.status === 'archived' ? <span className="badge badge--bad">archived</span> : null}
      </div>
      {project.description ? <p className="muted project-card__description">{project.description}</p> : null}
      <Progress project={project} />
      <div className="project-card__actions">
        {label ? (
          <Link
            to={pathTo(LABEL_PATH, { id: project.id })}
            className="btn btn--primary"
            aria-label={`Start labelling ${project.name}`}
          >
            Start labelling
          </Link>
        ) : null}
        {review ? (
          <Link
            to={pathTo(REVIEW_PATH, { id: project.id })}
            className="btn"
            aria-label={`Review ${project.name}`}
          >
            Review
          </Link>
        ) : null}
        {canManageProject(ability, project) ? (
          <Link to={projectPath(project.id)} className="btn" aria-label={`Manage ${project.name}`}>
            Manage
          </Link>
        ) : null}
      </div>
    </li>
  );
}

/** `/projects`: the projects the person belongs to, with progress and the way into their queues. */
export function MyProjectsPage(_props: PageProps) {
  const { ability } = useSession();
  const list = useMyProjects();
  const projects = flattenPages(list.data);
  return (
    <>
      <header className="page-header">
        <h1>My projects</h1>
        <p className="muted">Projects you are a member of. Start labelling to get your next task.</p>
        {ability.can('create', 'Project') ? (
          <Link to="/projects/new" className="btn btn--primary">
            New project
          </Link>
        ) : null}
      </header>
      {projects.length > 0 ? (
        <ul className="project-grid" aria-label="Projects">
          {projects.map((p) => (
            <ProjectCard key={p.id} project={p} />
          ))}
        </ul>
      ) : null}
      <ListStatus
        list={list}
        count={projects.length}
        empty="You are not a member of any project yet. A manager of a project can add you to it."
      />
    </>
  );
}
