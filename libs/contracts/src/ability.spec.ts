import { describe, expect, it } from 'vitest';
import { subject } from '@casl/ability';
import { defineAbilityFor } from './ability';

const orgId = '00000000-0000-4000-8000-000000000001';
const me = '00000000-0000-4000-8000-0000000000aa';
const other = '00000000-0000-4000-8000-0000000000bb';

describe('defineAbilityFor', () => {
  it('lets an admin manage staff but not owners or admins', () => {
    const a = defineAbilityFor({ userId: me, role: 'admin', orgId });
    expect(a.can('update', subject('User', { id: other, role: 'annotator' as const }))).toBe(true);
    expect(a.can('update', subject('User', { id: other, role: 'admin' as const }))).toBe(false);
    expect(a.can('update', subject('User', { id: other, role: 'owner' as const }))).toBe(false);
    expect(a.can('create', subject('User', { id: other, role: 'admin' as const }))).toBe(false);
    expect(a.can('read', 'AuditEvent')).toBe(true);
  });

  it('lets an owner appoint admins and owners', () => {
    const a = defineAbilityFor({ userId: me, role: 'owner', orgId });
    expect(a.can('create', subject('User', { id: other, role: 'owner' as const }))).toBe(true);
    expect(a.can('verify', 'AuditEvent')).toBe(true);
    expect(a.can('manage', 'Platform')).toBe(false);
  });

  it('gives a manager the directory but no changes and no audit', () => {
    const a = defineAbilityFor({ userId: me, role: 'manager', orgId });
    expect(a.can('read', subject('User', { id: other, role: 'annotator' as const }))).toBe(true);
    expect(a.can('update', subject('User', { id: other, role: 'annotator' as const }))).toBe(false);
    expect(a.can('read', 'AuditEvent')).toBe(false);
  });

  it('limits an annotator to themselves and their own tokens', () => {
    const a = defineAbilityFor({ userId: me, role: 'annotator', orgId });
    expect(a.can('read', subject('User', { id: me, role: 'annotator' as const }))).toBe(true);
    expect(a.can('read', subject('User', { id: other, role: 'annotator' as const }))).toBe(false);
    expect(a.can('list', 'User')).toBe(false);
    expect(a.can('delete', subject('ApiToken', { userId: me }))).toBe(true);
    expect(a.can('delete', subject('ApiToken', { userId: other }))).toBe(false);
  });

  it('gives the operator organizations and nothing inside them', () => {
    const a = defineAbilityFor({ userId: me, role: 'operator', orgId: null });
    expect(a.can('create', 'Organization')).toBe(true);
    expect(a.can('manage', 'Platform')).toBe(true);
    expect(a.can('read', 'User')).toBe(false);
    expect(a.can('read', 'AuditEvent')).toBe(false);
    expect(a.can('create', 'ApiToken')).toBe(false);
  });
});
