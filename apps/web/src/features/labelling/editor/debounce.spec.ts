import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDebouncer } from './debounce';

describe('draft debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once, with the latest value, after the pause', () => {
    const save = vi.fn();
    const d = createDebouncer(save, 1000);
    d.schedule(1);
    vi.advanceTimersByTime(600);
    d.schedule(2);
    vi.advanceTimersByTime(600);
    d.schedule(3);
    expect(save).not.toHaveBeenCalled();
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith(3);
    expect(d.pending).toBe(false);
  });

  it('flushes now, and then not again', () => {
    const save = vi.fn();
    const d = createDebouncer(save, 1000);
    d.schedule('x');
    d.flush();
    expect(save).toHaveBeenCalledWith('x');
    vi.advanceTimersByTime(5000);
    expect(save).toHaveBeenCalledTimes(1);
    d.flush();
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('cancels a pending save (the task was submitted or skipped)', () => {
    const save = vi.fn();
    const d = createDebouncer(save, 1000);
    d.schedule('x');
    d.cancel();
    vi.advanceTimersByTime(5000);
    expect(save).not.toHaveBeenCalled();
    expect(d.pending).toBe(false);
  });
});
