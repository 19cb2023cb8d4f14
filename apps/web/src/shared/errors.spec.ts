import { createOrgSchema, createUserSchema } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeError, formErrorsFrom, normalizePath, validateWith } from './errors';

describe('describeError', () => {
  it('shows the API message as a sentence', () => {
    const e = new ApiError(401, 'INVALID_CREDENTIALS', 'the e-mail address or the password is wrong');
    expect(describeError(e)).toBe('The e-mail address or the password is wrong.');
  });

  it('says how long to wait when throttled', () => {
    expect(describeError(new ApiError(429, 'TOO_MANY_REQUESTS', 'x', [], 60))).toBe(
      'Too many attempts. Try again in 60 seconds.',
    );
    expect(describeError(new ApiError(429, 'TOO_MANY_REQUESTS', 'x', [], 1))).toBe(
      'Too many attempts. Try again in 1 second.',
    );
    expect(describeError(new ApiError(429, 'TOO_MANY_REQUESTS', 'x'))).toBe(
      'Too many attempts. Try again later.',
    );
  });

  it('explains a refused CSRF token', () => {
    expect(describeError(new ApiError(403, 'CSRF_TOKEN_INVALID', 'csrf'))).toMatch(/sign in again/);
  });
});

describe('formErrorsFrom', () => {
  it('puts each detail under its field, whatever the path notation', () => {
    const e = new ApiError(400, 'VALIDATION_FAILED', 'invalid body', [
      { path: 'owner.email', message: 'must be an e-mail address' },
      { path: '/slug', message: 'too short' },
      { path: 'owner.email', message: 'second message is dropped' },
    ]);
    expect(formErrorsFrom(e)).toEqual({
      fields: { 'owner.email': 'Must be an e-mail address.', slug: 'Too short.' },
      general: null,
    });
    expect(normalizePath('/owner/password')).toBe('owner.password');
  });

  it('places a conflict that names no path under the input it is about', () => {
    const e = new ApiError(409, 'EMAIL_TAKEN', 'this e-mail address is taken');
    expect(formErrorsFrom(e, { EMAIL_TAKEN: 'email' })).toEqual({
      fields: { email: 'This e-mail address is taken.' },
      general: null,
    });
  });

  it('keeps errors that belong to no field for the form as a whole', () => {
    const e = new ApiError(409, 'LAST_OWNER', 'the organization must keep an active owner');
    expect(formErrorsFrom(e, { EMAIL_TAKEN: 'email' })).toEqual({
      fields: {},
      general: 'The organization must keep an active owner.',
    });
  });
});

describe('validateWith the shared schemas', () => {
  it('names nested fields as the API does', () => {
    const r = validateWith(createOrgSchema, {
      name: 'Lab',
      slug: 'Bad Slug',
      owner: { email: 'x', name: 'O', password: 'short' },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors.fields).sort()).toEqual(['owner.email', 'owner.password', 'slug']);
  });

  it('returns the normalised body when valid', () => {
    const r = validateWith(createUserSchema, {
      email: ' A@B.Co ',
      name: 'A',
      role: 'annotator',
      password: 'x'.repeat(12),
    });
    expect(r).toEqual({
      ok: true,
      data: { email: 'a@b.co', name: 'A', role: 'annotator', password: 'x'.repeat(12) },
    });
  });
});
