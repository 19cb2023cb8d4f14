/**
 * Undo and redo over the editor's result: a past, a present and a future. Typing is coalesced — the
 * changes one question receives within a second of each other are one step — so Ctrl+Z undoes a word
 * or a phrase, not a letter.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** What the last change was to, and when, for coalescing. */
  lastKey: string | null;
  lastAt: number;
}

export const HISTORY_LIMIT = 200;
export const COALESCE_MS = 1000;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export interface ChangeOptions {
  /** Changes with the same key close together in time become one step (typing in one text box). */
  coalesceKey?: string;
  now?: number;
}

export function change<T>(h: History<T>, next: T, options: ChangeOptions = {}): History<T> {
  if (Object.is(next, h.present)) return h;
  const now = options.now ?? Date.now();
  const key = options.coalesceKey ?? null;
  if (key !== null && key === h.lastKey && now - h.lastAt < COALESCE_MS && h.future.length === 0) {
    return { ...h, present: next, lastAt: now };
  }
  const past = [...h.past, h.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, present: next, future: [], lastKey: key, lastAt: now };
}

export function undo<T>(h: History<T>): History<T> {
  const previous = h.past[h.past.length - 1];
  if (h.past.length === 0) return h;
  return {
    past: h.past.slice(0, -1),
    present: previous as T,
    future: [h.present, ...h.future],
    lastKey: null,
    lastAt: 0,
  };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const [next, ...rest] = h.future;
  return { past: [...h.past, h.present], present: next as T, future: rest, lastKey: null, lastAt: 0 };
}

export type HistoryAction<T> =
  | { type: 'change'; value: T; coalesceKey?: string | undefined; now?: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; value: T };

export function historyReducer<T>(h: History<T>, action: HistoryAction<T>): History<T> {
  switch (action.type) {
    case 'change':
      return change(h, action.value, {
        ...(action.coalesceKey !== undefined ? { coalesceKey: action.coalesceKey } : {}),
        ...(action.now !== undefined ? { now: action.now } : {}),
      });
    case 'undo':
      return undo(h);
    case 'redo':
      return redo(h);
    case 'reset':
      return createHistory(action.value);
  }
}
