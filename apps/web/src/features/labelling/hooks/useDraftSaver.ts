import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createDebouncer } from '../editor/debounce';
import { saveDraft } from '../api/labelling';

/** How long the annotator pauses before their answers are saved as a draft. */
export const DRAFT_DELAY_MS = 1200;

export type DraftStatus =
  | { state: 'idle' }
  | { state: 'restored'; at: string }
  | { state: 'pending' }
  | { state: 'saving' }
  | { state: 'saved'; at: Date }
  | { state: 'failed'; error: unknown };

/**
 * Saves the answers as a draft (`PUT /tasks/:id/annotation {status: 'draft'}`) a moment after each
 * change, only when they differ from what was saved last, and at once when the page is hidden.
 * `settle` stops the timer and waits for a save in flight, so a submission never races a draft (a
 * draft that lands after the submission would be refused).
 */
export function useDraftSaver(
  taskId: string | null,
  value: Record<string, unknown>,
  restoredAt: string | null,
) {
  const [status, setStatus] = useState<DraftStatus>({ state: 'idle' });
  const lastSaved = useRef<string>('');
  const inflight = useRef<Promise<unknown> | null>(null);
  const taskRef = useRef(taskId);
  taskRef.current = taskId;

  const debouncer = useMemo(
    () =>
      createDebouncer((job: { taskId: string; json: string; value: Record<string, unknown> }) => {
        setStatus({ state: 'saving' });
        const run = saveDraft(job.taskId, job.value).then(
          () => {
            lastSaved.current = job.json;
            if (taskRef.current === job.taskId) setStatus({ state: 'saved', at: new Date() });
          },
          (error: unknown) => {
            if (taskRef.current === job.taskId) setStatus({ state: 'failed', error });
          },
        );
        inflight.current = run;
        void run.finally(() => {
          if (inflight.current === run) inflight.current = null;
        });
      }, DRAFT_DELAY_MS),
    [],
  );

  // A new task: what the queue handed back is what is saved.
  useEffect(() => {
    debouncer.cancel();
    lastSaved.current = JSON.stringify(value);
    setStatus(restoredAt ? { state: 'restored', at: restoredAt } : { state: 'idle' });
    // only when the task changes: `value` is its starting value then
  }, [taskId, debouncer]);

  useEffect(() => {
    if (!taskId) return;
    const json = JSON.stringify(value);
    if (json === lastSaved.current) {
      if (debouncer.pending) debouncer.cancel();
      return;
    }
    setStatus({ state: 'pending' });
    debouncer.schedule({ taskId, json, value });
  }, [taskId, value, debouncer]);

  useEffect(() => {
    const saveNow = () => {
      if (document.visibilityState === 'hidden') debouncer.flush();
    };
    document.addEventListener('visibilitychange', saveNow);
    window.addEventListener('pagehide', debouncer.flush);
    return () => {
      document.removeEventListener('visibilitychange', saveNow);
      window.removeEventListener('pagehide', debouncer.flush);
      debouncer.flush();
    };
  }, [debouncer]);

  const settle = useCallback(async () => {
    debouncer.cancel();
    await inflight.current?.catch(() => undefined);
  }, [debouncer]);

  return { status, settle };
}
