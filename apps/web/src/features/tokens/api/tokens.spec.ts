import { describe, expect, it } from 'vitest';
import { describeVerification } from '../../audit/api/audit';
import { tokenState } from './tokens';

describe('tokenState', () => {
  const now = Date.parse('2025-06-01T00:00:00Z');
  it('reads revoked before expired', () => {
    expect(tokenState({ revokedAt: '2025-05-01T00:00:00Z', expiresAt: '2025-01-01T00:00:00Z' }, now)).toBe(
      'revoked',
    );
    expect(tokenState({ revokedAt: null, expiresAt: '2025-01-01T00:00:00Z' }, now)).toBe('expired');
    expect(tokenState({ revokedAt: null, expiresAt: '2026-01-01T00:00:00Z' }, now)).toBe('active');
  });
});

describe('describeVerification', () => {
  it('names the first broken link', () => {
    expect(describeVerification({ valid: true, checked: 12 })).toBe(
      'Chain valid: 12 events checked, every link intact.',
    );
    expect(describeVerification({ valid: false, checked: 7, brokenAt: 5, reason: 'hash mismatch' })).toBe(
      'Chain invalid: broken at event #5 (hash mismatch); 7 events checked.',
    );
  });
});
