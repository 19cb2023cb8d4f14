/**
 * A trailing debounce with the controls a draft saver needs: `flush` (save now: the page is hidden,
 * the task is being submitted) and `cancel` (the task is gone). Timers are injectable for tests.
 */
export interface Debouncer<A> {
  schedule: (arg: A) => void;
  /** Runs the pending call now, if there is one. */
  flush: () => void;
  cancel: () => void;
  readonly pending: boolean;
}

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function createDebouncer<A>(
  fn: (arg: A) => void,
  ms: number,
  timers: Timers = globalTimers,
): Debouncer<A> {
  let handle: unknown = null;
  let pendingArg: { value: A } | null = null;

  function run() {
    handle = null;
    const arg = pendingArg;
    pendingArg = null;
    if (arg) fn(arg.value);
  }

  return {
    schedule(arg: A) {
      pendingArg = { value: arg };
      if (handle !== null) timers.clearTimeout(handle);
      handle = timers.setTimeout(run, ms);
    },
    flush() {
      if (handle !== null) timers.clearTimeout(handle);
      run();
    },
    cancel() {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      pendingArg = null;
    },
    get pending() {
      return pendingArg !== null;
    },
  };
}
