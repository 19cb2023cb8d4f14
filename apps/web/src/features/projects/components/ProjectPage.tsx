import { lazy, Suspense, useEffect } from 'react';
import { isApiError } from '../../../api/client';
import { canLabelIn, canReviewIn } from '../../../app/access';
import { Link } from '../../../app/Link';
import { pathTo, useLocation } from '../../../app/router';
import { useSession } from '../../../app/session';
import { Alert } from '../../../shared/components/Alert';
import { Badge } from '../../../shared/components/Badge';
import { describeError } from '../../../shared/errors';
import { titleCase } from '../../../shared/format';
import { useProject } from '../hooks/useProjects';
import { AssetSection } from './AssetSection';
import { ConfigSection } from './ConfigSection';
import { ExportSection } from './ExportSection';
import { ImportSection } from './ImportSection';
import { canManage, projectPermissions } from './member-roles';
import { MembersSection } from './MembersSection';
import { OverviewSection } from './OverviewSection';
import { PROJECT_TABS, projectPath, tabFromSearch, tabsFor } from './project-tabs';
import { SettingsSection } from './SettingsSection';
import { TasksSection } from './TasksSection';

const StatsDashboard = lazy(() =>
  import('../../stats/components/StatsDashboard').then((m) => ({ default: m.StatsDashboard })),
);

export function ProjectPage({ projectId }: { projectId: string }) {
  const { search } = useLocation();
  const { ability } = useSession();
  const project = useProject(projectId);
  const name = project.data?.name;
  useEffect(() => {
    if (name) document.title = `${name} · Enclave`;
  }, [name]);

  if (project.isPending) return <p className="muted">Loading the project…</p>;
  if (project.isError) {
    const missing =
      isApiError(project.error) && (project.error.status === 404 || project.error.status === 403);
    return (
      <section className="card status-page">
        <h1>{missing ? 'Project not found' : 'The project could not be loaded'}</h1>
        <p className="muted">
          {missing
            ? 'It does not exist, or you are not one of its managers. Ask an admin or the project’s manager to add you.'
            : describeError(project.error)}
        </p>
        <p>
          <Link to="/projects">Back to the projects</Link>
        </p>
      </section>
    );
  }

  const p = project.data;
  const permissions = projectPermissions(ability, p);
  if (!canManage(permissions)) {
    return (
      <section className="card status-page">
        <h1>{p.name}</h1>
        <p className="muted">
          Only the project&rsquo;s managers, and the organization&rsquo;s admins, manage it.
        </p>
        <p>
          <Link to="/projects">Back to the projects</Link>
        </p>
      </section>
    );
  }
  const tabs = tabsFor(permissions);
  const tab = tabFromSearch(search, tabs);

  return (
    <>
      <header className="page-header project-header">
        <p className="breadcrumb">
          <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>
        </p>
        <div className="project-header__title">
          <h1>{p.name}</h1>
          <Badge value={p.status} />
          {p.myRole ? <span className="muted">You: {titleCase(p.myRole)}</span> : null}
          {p.status === 'active' && canLabelIn(ability, p) ? (
            <Link className="btn btn--small" to={pathTo('/projects/:id/label', { id: p.id })}>
              Label tasks
            </Link>
          ) : null}
          {p.status === 'active' && p.reviewMode !== 'none' && canReviewIn(ability, p) ? (
            <Link className="btn btn--small" to={pathTo('/projects/:id/review', { id: p.id })}>
              Review
            </Link>
          ) : null}
        </div>
      </header>
      {p.status === 'archived' ? (
        <Alert tone="info">This project is archived: you can read and export it, but not change it.</Alert>
      ) : null}
      <nav className="tabs" aria-label="Project sections">
        <ul>
          {PROJECT_TABS.filter((t) => tabs.includes(t.id)).map((t) => (
            <li key={t.id}>
              <Link to={projectPath(p.id, t.id)} aria-current={t.id === tab ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'overview' ? <OverviewSection project={p} permissions={permissions} /> : null}
      {tab === 'settings' ? (
        <SettingsSection
          key={p.id}
          project={p}
          canEdit={permissions.update}
          canArchive={permissions.archive}
        />
      ) : null}
      {tab === 'configuration' ? (
        <ConfigSection project={p} canEdit={permissions.update} canReadTasks={permissions.listTasks} />
      ) : null}
      {tab === 'import' ? (
        <>
          {permissions.importTasks ? <ImportSection projectId={p.id} config={p.labelConfig} /> : null}
          {permissions.uploadAssets ? <AssetSection projectId={p.id} /> : null}
        </>
      ) : null}
      {tab === 'tasks' ? <TasksSection projectId={p.id} /> : null}
      {tab === 'members' ? <MembersSection projectId={p.id} canChange={permissions.changeMembers} /> : null}
      {tab === 'export' ? (
        <ExportSection projectId={p.id} config={p.labelConfig} canExportIdentities={permissions.identities} />
      ) : null}
      {tab === 'statistics' ? (
        <Suspense fallback={<p className="muted">Loading the statistics…</p>}>
          <StatsDashboard projectId={p.id} />
        </Suspense>
      ) : null}
    </>
  );
}
