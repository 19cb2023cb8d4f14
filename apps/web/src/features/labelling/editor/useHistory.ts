import { useCallback, useMemo, useReducer } from 'react';
import { createHistory, historyReducer } from './history';

export interface HistoryControls<T> {
  value: T;
  /** A change that can be undone; `coalesceKey` merges quick successive changes (typing). */
  set: (value: T, coalesceKey?: string) => void;
  undo: () => void;
  redo: () => void;
  /** Starts over with a value and an empty history (a new task). */
  reset: (value: T) => void;
  canUndo: boolean;
  canRedo: boolean;
}

/** The undo history for a `<LabelEditor>`'s value: the host owns it, the editor stays controlled. */
export function useHistory<T>(initial: T): HistoryControls<T> {
  const [state, dispatch] = useReducer(historyReducer<T>, initial, createHistory<T>);
  const set = useCallback(
    (value: T, coalesceKey?: string) => dispatch({ type: 'change', value, coalesceKey }),
    [],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const reset = useCallback((value: T) => dispatch({ type: 'reset', value }), []);
  return useMemo(
    () => ({
      value: state.present,
      set,
      undo,
      redo,
      reset,
      canUndo: state.past.length > 0,
      canRedo: state.future.length > 0,
    }),
    [state, set, undo, redo, reset],
  );
}
