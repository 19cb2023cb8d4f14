import type {
  AssetView,
  CreateProjectInput,
  ImportResult,
  Page,
  ProjectMemberView,
  ProjectRole,
  ProjectView,
  TaskPage,
  TaskStatus,
  TemplateView,
  UpdateProjectInput,
  UserView,
} from '@enclave/contracts';
import { api } from '../../../api/client';
import { importContentType, uploadWithProgress, type UploadProgress } from './upload';

/** Query keys; the first two parts are the project's own, so invalidating `detail(id)` refreshes them all. */
export const projectKeys = {
  all: ['projects'] as const,
  detail: (id: string) => ['projects', id] as const,
  members: (id: string) => ['projects', id, 'members'] as const,
  tasks: (id: string, status: TaskStatus | undefined) => ['projects', id, 'tasks', status ?? 'all'] as const,
  sample: (id: string) => ['projects', id, 'sample-task'] as const,
  templates: ['templates'] as const,
  directory: ['users', 'directory'] as const,
};

export const TASKS_PAGE_SIZE = 50;

export function getProject(id: string, signal?: AbortSignal): Promise<ProjectView> {
  return api.call('GET /projects/:id', { params: { id }, signal });
}

export async function listTemplates(signal?: AbortSignal): Promise<TemplateView[]> {
  return (await api.call('GET /templates', { signal })).items;
}

export function createProject(input: CreateProjectInput): Promise<ProjectView> {
  return api.call('POST /projects', { body: input });
}

export function updateProject(id: string, patch: UpdateProjectInput): Promise<ProjectView> {
  return api.call('PATCH /projects/:id', { params: { id }, body: patch });
}

export function archiveProject(id: string): Promise<ProjectView> {
  return api.call('POST /projects/:id/archive', { params: { id } });
}

export async function listMembers(id: string, signal?: AbortSignal): Promise<ProjectMemberView[]> {
  return (await api.call('GET /projects/:id/members', { params: { id }, signal })).items;
}

export function putMember(id: string, userId: string, role: ProjectRole): Promise<ProjectMemberView> {
  return api.call('PUT /projects/:id/members/:userId', { params: { id, userId }, body: { role } });
}

export function removeMember(id: string, userId: string): Promise<void> {
  return api.call('DELETE /projects/:id/members/:userId', { params: { id, userId } });
}

export function listTasks(
  id: string,
  status: TaskStatus | undefined,
  cursor: string | undefined,
  signal?: AbortSignal,
  limit = TASKS_PAGE_SIZE,
): Promise<TaskPage> {
  return api.call('GET /projects/:id/tasks', { params: { id }, query: { status, limit, cursor }, signal });
}

/** The whole directory of the organization (to pick members from), every page of it. */
export async function listDirectory(signal?: AbortSignal): Promise<UserView[]> {
  const users: UserView[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page: Page<UserView> = await api.call('GET /users', { query: { limit: 500, cursor }, signal });
    users.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return users;
}

export interface UploadCallbacks {
  onProgress?: (p: UploadProgress) => void;
  onSent?: () => void;
  signal?: AbortSignal;
}

/** Streams the file as the project's new tasks; the content type follows the extension. */
export function importTasks(id: string, file: File, callbacks: UploadCallbacks = {}): Promise<ImportResult> {
  const contentType = importContentType(file.name);
  if (!contentType) throw new Error(`cannot import ${file.name}: use a .json, .ndjson, .jsonl or .csv file`);
  return uploadWithProgress<ImportResult>({
    path: `/projects/${encodeURIComponent(id)}/tasks`,
    body: file,
    contentType,
    ...callbacks,
  });
}

export function uploadAsset(id: string, file: File, callbacks: UploadCallbacks = {}): Promise<AssetView> {
  const form = new FormData();
  form.append('file', file, file.name);
  return uploadWithProgress<AssetView>({
    path: `/projects/${encodeURIComponent(id)}/assets`,
    body: form,
    ...callbacks,
  });
}
