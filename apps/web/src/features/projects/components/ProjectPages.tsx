import type { PageProps } from '../../../app/Routes';
import { NewProjectPage } from './NewProjectPage';
import { ProjectPage } from './ProjectPage';

/** `/projects/:id`: the manager's page of one project. */
export function ManageProjectPage({ params }: PageProps) {
  return <ProjectPage key={params.id} projectId={params.id ?? ''} />;
}

/** `/projects/new`. */
export function CreateProjectPage(_props: PageProps) {
  return <NewProjectPage />;
}
