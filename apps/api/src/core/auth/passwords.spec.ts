import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';

describe('passwordProblem', () => {
  it('refuses short passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
  });
  it('refuses passwords on the common list, also with digits appended', () => {
    expect(passwordProblem('qwertyuiopasdfgh')).toBeNull();
    expect(passwordProblem('1qaz2wsx3edc')).toMatch(/too common/);
    expect(passwordProblem('password123456')).toMatch(/too common/);
    expect(passwordProblem('Password!!!!!!')).toMatch(/too common/);
  });
  it('refuses a repeated character and the e-mail address', () => {
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toMatch(/repeat/);
    expect(passwordProblem('margaret.hamilton2024', { email: 'margaret.hamilton@nasa.gov' })).toMatch(/e-mail/);
  });
  it('accepts a passphrase', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
  });
});

describe('argon2id hashing', () => {
  it('hashes with argon2id and verifies', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(h.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(h, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(h, 'wrong horse battery staple')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});
