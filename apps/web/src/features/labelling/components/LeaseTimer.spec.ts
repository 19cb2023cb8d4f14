import { describe, expect, it } from 'vitest';
import { formatRemaining, LEASE_WARNING_MS, leasePhase } from './LeaseTimer';

describe('lease timer', () => {
  it('shows minutes and seconds, and hours when there are any', () => {
    expect(formatRemaining(14 * 60_000 + 59_400)).toBe('15:00');
    expect(formatRemaining(61_000)).toBe('1:01');
    expect(formatRemaining(9_000)).toBe('0:09');
    expect(formatRemaining(3_600_000 + 5 * 60_000)).toBe('1:05:00');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });

  it('warns in the last two minutes and says when it has run out', () => {
    expect(leasePhase(LEASE_WARNING_MS + 1)).toBe('ok');
    expect(leasePhase(LEASE_WARNING_MS)).toBe('warning');
    expect(leasePhase(1)).toBe('warning');
    expect(leasePhase(0)).toBe('expired');
  });
});
