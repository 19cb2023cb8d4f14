import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, type ChainedEvent } from './canonical';

const base: ChainedEvent = {
  orgId: '00000000-0000-4000-8000-000000000001',
  seq: 1,
  id: '00000000-0000-4000-8000-000000000002',
  occurredAt: '2026-11-29T00:00:00.000Z',
  actorType: 'user',
  actorId: null,
  action: 'auth.login',
  targetType: null,
  targetId: null,
  outcome: 'success',
  ip: '127.0.0.1',
  userAgent: null,
  requestId: 'r1',
  details: { b: 1, a: { d: [1, 'x'], c: null } },
  prevHash: GENESIS_HASH,
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and ignores insertion order', () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: 1 } })).toBe('{"a":{"x":1,"y":2},"b":1}');
    expect(canonicalJson({ a: { x: 1, y: 2 }, b: 1 })).toBe(canonicalJson({ b: 1, a: { y: 2, x: 1 } }));
  });

  it('drops undefined fields and refuses non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: Infinity })).toThrow();
  });
});

describe('chainHash', () => {
  it('changes when any covered field changes', () => {
    const h = chainHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash({ ...base })).toBe(h);
    expect(chainHash({ ...base, outcome: 'denied' })).not.toBe(h);
    expect(chainHash({ ...base, details: { b: 2, a: { d: [1, 'x'], c: null } } })).not.toBe(h);
    expect(chainHash({ ...base, prevHash: 'f'.repeat(64) })).not.toBe(h);
  });

  it('does not depend on the order of detail keys (jsonb reorders them)', () => {
    expect(chainHash({ ...base, details: { a: { c: null, d: [1, 'x'] }, b: 1 } })).toBe(chainHash(base));
  });
});
