import type { ReactNode } from 'react';
import type { AppAbility, ProjectView } from '@enclave/contracts';
import { isApiError } from '../../../api/client';
import { Link } from '../../../app/Link';
import { useSession } from '../../../app/session';
import { describeError } from '../../../shared/errors';
import { useProjectDetail } from '../hooks/useMyProjects';

/**
 * The guard of a page that works in one project (labelling, review): the project loading, the reason it
 * did not (missing for the caller, or another error), or why the caller may not work here; otherwise the
 * page itself, with the project.
 */
export function ProjectGate({
  projectId,
  allowed,
  notAllowed,
  children,
}: {
  projectId: string;
  allowed: (ability: AppAbility, project: ProjectView) => boolean;
  /** What to tell a caller who sees the project but may not do this page's work in it. */
  notAllowed: ReactNode;
  children: (project: ProjectView) => ReactNode;
}) {
  const project = useProjectDetail(projectId);
  const { ability } = useSession();

  if (project.isPending) {
    return (
      <p className="muted" role="status">
        Loading the project…
      </p>
    );
  }
  if (project.isError) {
    const missing = isApiError(project.error) && project.error.status === 404;
    return (
      <section className="card status-page" role="alert">
        <h1>{missing ? 'Project not found' : 'The project did not load'}</h1>
        <p>
          {missing
            ? 'This project does not exist, or you are not one of its members.'
            : `${describeError(project.error)} Reload the page to try again.`}
        </p>
        <BackToProjects />
      </section>
    );
  }
  if (!allowed(ability, project.data)) {
    return (
      <section className="card status-page">
        <h1>{project.data.name}</h1>
        <p>{notAllowed}</p>
        <BackToProjects />
      </section>
    );
  }
  return <>{children(project.data)}</>;
}

function BackToProjects() {
  return (
    <p>
      <Link to="/projects">Back to my projects</Link>
    </p>
  );
}
