import type { AnnotationView, QueueNextResponse } from '@enclave/contracts';
import { api } from '../../../api/client';

/**
 * The queue (docs/labelling.md). `holding` is the task on screen: the answer is then a second task,
 * leased ahead so it shows the moment the first is submitted. Null: nothing left for the caller (204).
 */
export async function leaseNextTask(projectId: string, holding?: string): Promise<QueueNextResponse | null> {
  const body = holding ? { holding } : {};
  return (await api.call('POST /projects/:id/queue/next', { params: { id: projectId }, body })) ?? null;
}

export function saveDraft(taskId: string, result: Record<string, unknown>): Promise<AnnotationView> {
  return api.call('PUT /tasks/:id/annotation', { params: { id: taskId }, body: { result, status: 'draft' } });
}

export function submitAnnotation(
  taskId: string,
  result: Record<string, unknown>,
  leadTimeMs: number,
): Promise<AnnotationView> {
  return api.call('PUT /tasks/:id/annotation', {
    params: { id: taskId },
    body: { result, status: 'submitted', leadTimeMs: Math.max(0, Math.round(leadTimeMs)) },
  });
}

export function skipTask(taskId: string, reason: string): Promise<void> {
  const trimmed = reason.trim();
  return api.call('POST /tasks/:id/skip', {
    params: { id: taskId },
    body: trimmed ? { reason: trimmed } : {},
  });
}
