import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CreateProjectInput,
  ProjectRole,
  ProjectView,
  TaskPage,
  TaskStatus,
  UpdateProjectInput,
} from '@enclave/contracts';
import {
  archiveProject,
  createProject,
  getProject,
  listDirectory,
  listMembers,
  listTasks,
  listTemplates,
  projectKeys,
  putMember,
  removeMember,
  updateProject,
} from '../api/projects';

export function useProject(id: string) {
  return useQuery({
    queryKey: projectKeys.detail(id),
    queryFn: ({ signal }) => getProject(id, signal),
  });
}

export function useTemplates() {
  // The templates ship with the product: they change only with a new release.
  return useQuery({
    queryKey: projectKeys.templates,
    queryFn: ({ signal }) => listTemplates(signal),
    staleTime: Infinity,
  });
}

/** Lists of projects (the manager's, the annotator's) show the change too. */
function useProjectSaved() {
  const client = useQueryClient();
  return (project: ProjectView) => {
    client.setQueryData(projectKeys.detail(project.id), (old: ProjectView | undefined) => ({
      ...project,
      taskCounts: project.taskCounts ?? old?.taskCounts,
    }));
    void client.invalidateQueries({ queryKey: projectKeys.all });
  };
}

export function useCreateProject() {
  const saved = useProjectSaved();
  return useMutation({ mutationFn: (input: CreateProjectInput) => createProject(input), onSuccess: saved });
}

export function useUpdateProject(id: string) {
  const saved = useProjectSaved();
  return useMutation({
    mutationFn: (patch: UpdateProjectInput) => updateProject(id, patch),
    onSuccess: saved,
  });
}

export function useArchiveProject(id: string) {
  const saved = useProjectSaved();
  return useMutation({ mutationFn: () => archiveProject(id), onSuccess: saved });
}

export function useMembers(id: string, enabled = true) {
  return useQuery({
    queryKey: projectKeys.members(id),
    queryFn: ({ signal }) => listMembers(id, signal),
    enabled,
  });
}

export function useDirectory(enabled = true) {
  return useQuery({
    queryKey: projectKeys.directory,
    queryFn: ({ signal }) => listDirectory(signal),
    enabled,
  });
}

export function usePutMember(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: ProjectRole }) => putMember(id, userId, role),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKeys.members(id) }),
  });
}

export function useRemoveMember(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => removeMember(id, userId),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKeys.members(id) }),
  });
}

export function useTasks(id: string, status: TaskStatus | undefined) {
  return useInfiniteQuery({
    queryKey: projectKeys.tasks(id, status),
    queryFn: ({ pageParam, signal }) => listTasks(id, status, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: TaskPage) => last.nextCursor ?? undefined,
  });
}

/** The project's first task, for the configuration preview. */
export function useSampleTask(id: string, enabled: boolean) {
  return useQuery({
    queryKey: projectKeys.sample(id),
    queryFn: async ({ signal }) => (await listTasks(id, undefined, undefined, signal, 1)).items[0] ?? null,
    enabled,
  });
}

/** After an import: the counts, the task list and the preview's sample are out of date. */
export function useInvalidateTasks(id: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ['projects', id, 'tasks'] });
    void client.invalidateQueries({ queryKey: projectKeys.sample(id) });
    void client.invalidateQueries({ queryKey: projectKeys.detail(id), exact: true });
    void client.invalidateQueries({ queryKey: ['stats', id] });
  };
}
