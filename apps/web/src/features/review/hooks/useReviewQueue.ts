import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReviewNextResponse } from '@enclave/contracts';
import { holdNextReview } from '../api/review';

export type ReviewState =
  | { status: 'loading' }
  | { status: 'item'; item: ReviewNextResponse }
  | { status: 'empty' }
  | { status: 'failed'; error: unknown };

/** The reviewer's queue for one project: one held annotation at a time. */
export function useReviewQueue(projectId: string) {
  const [state, setState] = useState<ReviewState>({ status: 'loading' });
  const generation = useRef(0);

  const next = useCallback(async () => {
    const gen = ++generation.current;
    setState({ status: 'loading' });
    try {
      const item = await holdNextReview(projectId);
      if (generation.current !== gen) return;
      setState(item ? { status: 'item', item } : { status: 'empty' });
    } catch (error) {
      if (generation.current === gen) setState({ status: 'failed', error });
    }
  }, [projectId]);

  // Once per project, also under StrictMode's double effects.
  const started = useRef<string | null>(null);
  useEffect(() => {
    if (started.current === projectId) return;
    started.current = projectId;
    void next();
  }, [projectId, next]);

  return { state, next };
}
