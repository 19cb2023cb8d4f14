import type { AnnotationView, ReviewInput, ReviewNextResponse } from '@enclave/contracts';
import { api } from '../../../api/client';

/** Holds the oldest annotation waiting for review for the caller; null when none waits (204). */
export async function holdNextReview(projectId: string): Promise<ReviewNextResponse | null> {
  return (await api.call('POST /projects/:id/review/next', { params: { id: projectId } })) ?? null;
}

export function reviewAnnotation(annotationId: string, input: ReviewInput): Promise<AnnotationView> {
  return api.call('POST /annotations/:id/review', { params: { id: annotationId }, body: input });
}
