import { describe, expect, it } from 'vitest';
import { createUserSchema, createTokenSchema, listQuerySchema, updateUserSchema } from './schemas';

describe('schemas', () => {
  it('refuses unknown keys such as orgId (mass assignment)', () => {
    const r = createUserSchema.safeParse({
      email: 'a@b.co',
      name: 'A',
      role: 'annotator',
      password: 'long enough password',
      orgId: 'x',
    });
    expect(r.success).toBe(false);
  });

  it('lowercases e-mail addresses', () => {
    const r = createUserSchema.parse({ email: ' A@B.Co ', name: 'A', role: 'annotator', password: 'x'.repeat(12) });
    expect(r.email).toBe('a@b.co');
  });

  it('requires passwords of at least 12 characters', () => {
    const r = createUserSchema.safeParse({ email: 'a@b.co', name: 'A', role: 'annotator', password: 'short' });
    expect(r.success).toBe(false);
  });

  it('needs at least one field in a user update', () => {
    expect(updateUserSchema.safeParse({}).success).toBe(false);
    expect(updateUserSchema.safeParse({ status: 'disabled' }).success).toBe(true);
  });

  it('bounds list limits', () => {
    expect(listQuerySchema.parse({}).limit).toBe(50);
    expect(listQuerySchema.safeParse({ limit: '501' }).success).toBe(false);
    expect(listQuerySchema.safeParse({ limit: 'abc' }).success).toBe(false);
  });

  it('defaults token scopes and refuses duplicates', () => {
    expect(createTokenSchema.parse({ name: 't' }).scopes).toEqual(['read', 'write']);
    expect(createTokenSchema.safeParse({ name: 't', scopes: ['read', 'read'] }).success).toBe(false);
  });
});
