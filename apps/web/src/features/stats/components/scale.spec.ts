import { describe, expect, it } from 'vitest';
import {
  countAxis,
  dayNumber,
  formatDuration,
  formatValue,
  linearScale,
  niceStep,
  niceTicks,
  spreadIndexes,
} from './scale';

describe('scales', () => {
  it('maps a domain onto a range, reversed ranges included', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(5)).toBe(100);
    expect(y(10)).toBe(0);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });

  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(100, 4)).toBe(50);
    expect(niceStep(1, 4)).toBe(0.5);
    expect(niceStep(0.07, 5)).toBe(0.02);
    expect(niceStep(7300, 5)).toBe(2000);
    expect(niceStep(0, 5)).toBe(1);
  });

  it('ticks cover the data with round values', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(3, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-0.13, 0.62, 4)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
    expect(niceTicks(7, 7)).toEqual([0, 10]);
    expect(niceTicks(-3, -3)).toEqual([-5, 0]);
  });

  it('count axes start at zero and end on a whole step', () => {
    expect(countAxis(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(countAxis(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(countAxis(37)).toEqual({ max: 40, ticks: [0, 10, 20, 30, 40] });
    expect(countAxis(1234)).toEqual({ max: 1500, ticks: [0, 500, 1000, 1500] });
  });

  it('spreads labels over many points, the ends included', () => {
    expect(spreadIndexes(3, 6)).toEqual([0, 1, 2]);
    expect(spreadIndexes(100, 5)).toEqual([0, 25, 50, 74, 99]);
    expect(spreadIndexes(0, 5)).toEqual([]);
  });
});

describe('number formats', () => {
  it('prints counts, shares and scores', () => {
    expect(formatValue(1234, 'count')).toBe((1234).toLocaleString());
    expect(formatValue(0.8765, 'percent')).toBe('87.7%');
    expect(formatValue(-0.1234, 'score')).toBe(
      (-0.12).toLocaleString(undefined, { minimumFractionDigits: 2 }),
    );
    expect(formatValue(null, 'score')).toBe('—');
    expect(formatValue(Number.NaN, 'count')).toBe('—');
  });

  it('prints durations as a person says them', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(210_000)).toBe('3.5 min');
    expect(formatDuration(4_320_000)).toBe('1.2 h');
    expect(formatDuration(null)).toBe('—');
  });

  it('numbers days for a time axis', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('2025-03-01T10:00:00Z') - dayNumber('2025-02-28')).toBe(1);
  });
});
