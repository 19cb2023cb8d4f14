import { describe, expect, it } from 'vitest';
import { auditFilterFrom, describeVerification, isFiltered } from './audit';

describe('audit filter', () => {
  it('sends only what is set, the action normalised', () => {
    expect(auditFilterFrom({ action: ' Auth.Login ', actorId: '', outcome: '' })).toEqual({
      ok: true,
      filter: { action: 'auth.login' },
    });
    expect(auditFilterFrom({ action: '', actorId: 'u1', outcome: 'denied' })).toEqual({
      ok: true,
      filter: { actorId: 'u1', outcome: 'denied' },
    });
    expect(isFiltered({})).toBe(false);
    expect(isFiltered({ outcome: 'failure' })).toBe(true);
  });

  it('refuses an action the API could not search for, before asking', () => {
    expect(auditFilterFrom({ action: 'login failed', actorId: '', outcome: '' })).toMatchObject({
      ok: false,
    });
  });
});

describe('describeVerification', () => {
  it('names the first broken link', () => {
    expect(describeVerification({ valid: true, checked: 1 })).toBe(
      'Chain valid: 1 event checked, every link intact.',
    );
    expect(describeVerification({ valid: false, checked: 40, brokenAt: 17, reason: 'hash mismatch' })).toBe(
      'Chain invalid: broken at event #17 (hash mismatch); 40 events checked.',
    );
    expect(describeVerification({ valid: false, checked: 9, lane: 3, brokenAt: 2, reason: 'lane 3: event 2 is missing' })).toBe(
      'Chain invalid: broken at event #2 of lane 3 (lane 3: event 2 is missing); 9 events checked.',
    );
  });
});
