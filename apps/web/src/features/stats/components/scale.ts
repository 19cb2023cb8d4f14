/**
 * The arithmetic of the dashboard's charts: linear scales and round tick values. Hand-written, so the
 * charts cost a few kilobytes instead of a chart library.
 */

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A step of 1, 2 or 5 times a power of ten that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** Tick values: multiples of a nice step covering [min, max], ends included. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    if (min === 0) return [0, 1];
    const s = niceStep(Math.abs(min), 1);
    return min > 0 ? [0, Math.ceil(min / s) * s] : [Math.floor(min / s) * s, 0];
  }
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const step = niceStep(hi - lo, count);
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(digits)));
  return ticks;
}

/** An axis for counts: from zero to a round number at or above the largest value, in whole steps. */
export function countAxis(maxValue: number, count = 4): { max: number; ticks: number[] } {
  const top = Math.max(1, maxValue);
  const step = Math.max(1, niceStep(top, count));
  const max = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return { max, ticks };
}

/** Up to `max` evenly spread indexes of `n` points, first and last included. */
export function spreadIndexes(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(Math.round((k * (n - 1)) / (max - 1)));
  return [...out];
}

export type ValueKind = 'count' | 'percent' | 'score';

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const score = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A number as the charts and tables print it: counts whole, shares as percent, scores to two places. */
export function formatValue(value: number | null | undefined, kind: ValueKind): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (kind === 'percent') return `${Math.round(value * 1000) / 10}%`;
  if (kind === 'score') return score.format(value);
  return count.format(value);
}

/** `2025-03-07` → `Mar 7`, in the reader's locale; the date is a calendar day, so UTC. */
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
export function formatDay(day: string): string {
  const t = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(t) ? day : dayFormat.format(t);
}

/** Days since the epoch of a `YYYY-MM-DD` (or ISO) date, for a time axis. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

/** Milliseconds as a person says them: 850 ms, 12 s, 3.5 min, 1.2 h. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
