import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueueNextResponse } from '@enclave/contracts';
import { leaseNextTask } from '../api/labelling';

export interface ShownTask extends QueueNextResponse {
  /** When it came on screen, for the submission's lead time. */
  shownAt: number;
}

export type QueueState =
  | { status: 'loading' }
  | { status: 'task'; task: ShownTask }
  | { status: 'empty' }
  | { status: 'failed'; error: unknown };

/** The task fetched ahead: leased, or none left (204), or not asked for yet. */
type Ahead = { kind: 'task'; next: QueueNextResponse } | { kind: 'none' } | null;

/**
 * The annotator's queue for one project: the task on screen, and the next one leased ahead with
 * `{holding}` so that it shows the moment the current one is submitted or skipped; after it comes on
 * screen the one after that is fetched. A prefetch that fails is simply not used.
 */
export function useLabellingQueue(projectId: string) {
  const [state, setState] = useState<QueueState>({ status: 'loading' });
  const ahead = useRef<Ahead>(null);
  const aheadRequest = useRef<Promise<Ahead> | null>(null);
  const generation = useRef(0);

  const show = useCallback(
    (next: QueueNextResponse, gen: number) => {
      setState({ status: 'task', task: { ...next, shownAt: Date.now() } });
      ahead.current = null;
      const request = leaseNextTask(projectId, next.task.id).then(
        (r): Ahead => (r ? { kind: 'task', next: r } : { kind: 'none' }),
        (): Ahead => null,
      );
      aheadRequest.current = request;
      void request.then((r) => {
        if (generation.current === gen && aheadRequest.current === request) ahead.current = r;
      });
    },
    [projectId],
  );

  const load = useCallback(async () => {
    const gen = ++generation.current;
    setState({ status: 'loading' });
    ahead.current = null;
    aheadRequest.current = null;
    try {
      const next = await leaseNextTask(projectId);
      if (generation.current !== gen) return;
      if (next) show(next, gen);
      else setState({ status: 'empty' });
    } catch (error) {
      if (generation.current === gen) setState({ status: 'failed', error });
    }
  }, [projectId, show]);

  /** After a submission or a skip: the task fetched ahead at once, else ask the queue again. */
  const advance = useCallback(async () => {
    const gen = generation.current;
    const waited = ahead.current ?? (await aheadRequest.current?.catch(() => null)) ?? null;
    if (generation.current !== gen) return;
    if (waited?.kind === 'task') {
      show(waited.next, gen);
      return;
    }
    // Nothing was left when we looked ahead, or the look failed: new tasks may have come since.
    await load();
  }, [load, show]);

  // Once per project, also under StrictMode's double effects: a second `next` would lease a second task.
  const started = useRef<string | null>(null);
  useEffect(() => {
    if (started.current === projectId) return;
    started.current = projectId;
    void load();
  }, [projectId, load]);

  return { state, reload: load, advance };
}
