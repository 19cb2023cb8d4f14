import type { z } from 'zod';
import type {
  createProjectSchema,
  ListTasksQuery,
  ProjectMemberView,
  ProjectView,
  putMemberSchema,
  TaskPage,
  TemplateView,
  updateProjectSchema,
} from '@enclave/contracts';

export interface TaskListQuery {
  status?: ListTasksQuery['status'];
  limit?: number;
  cursor?: string;
}

/**
 * The manager's routes under /api/v1, merged into the client's `Endpoints` table. Imports and asset
 * uploads are not here: they go through `upload.ts` (XMLHttpRequest), which reports upload progress.
 */
export interface ProjectManagementEndpoints {
  'GET /templates': { response: { items: TemplateView[] } };
  'POST /projects': { body: z.input<typeof createProjectSchema>; response: ProjectView };
  'PATCH /projects/:id': { body: z.input<typeof updateProjectSchema>; response: ProjectView };
  'POST /projects/:id/archive': { response: ProjectView };
  'GET /projects/:id/members': { response: { items: ProjectMemberView[] } };
  'PUT /projects/:id/members/:userId': {
    body: z.input<typeof putMemberSchema>;
    response: ProjectMemberView;
  };
  'DELETE /projects/:id/members/:userId': { response: void };
  'GET /projects/:id/tasks': { query: TaskListQuery; response: TaskPage };
}
