import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, contentHash, eventHash, GENESIS_HASH, linkHash, type ChainedEvent } from './canonical';

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

describe('eventHash, version 2 (linked by audit_append in PostgreSQL)', () => {
  it('links the previous hash, the sequence number and the content hash', () => {
    const { prevHash, seq, ...content } = base;
    const expected = linkHash(prevHash, 3, seq, contentHash(content));
    expect(eventHash(base, 2, 3)).toBe(expected);
    // The value PostgreSQL computes for the same input (psql: encode(sha256(convert_to(repeat('a', 64)
    // || ':' || 5::int::text || ':' || 12::bigint::text || ':' || repeat('b', 64), 'UTF8')), 'hex')).
    expect(linkHash('a'.repeat(64), 5, 12, 'b'.repeat(64))).toBe('8a4acb64e527406b726b7990b8807f14221d7053a5cbd592cc748d35b604b63a');
  });

  it('changes when any covered field, the lane, the sequence number or the previous hash changes', () => {
    const h = eventHash(base, 2, 0);
    expect(eventHash({ ...base, outcome: 'denied' }, 2, 0)).not.toBe(h);
    expect(eventHash(base, 2, 1)).not.toBe(h);
    expect(eventHash({ ...base, seq: 2 }, 2, 0)).not.toBe(h);
    expect(eventHash({ ...base, prevHash: 'f'.repeat(64) }, 2, 0)).not.toBe(h);
    expect(eventHash({ ...base, details: { a: { c: null, d: [1, 'x'] }, b: 1 } }, 2, 0)).toBe(h);
    expect(eventHash(base, 1, 0)).toBe(chainHash(base));
    expect(eventHash(base, 1, 0)).not.toBe(h);
  });
});
