import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MIN_LENGTH } from '@enclave/contracts';

/** argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes). */
const HASH_OPTIONS = { type: argon2.argon2id } as const;

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * Why a password is refused, or null. Beyond the length floor: the shipped list of common passwords
 * (zxcvbn's, about 49,000), also after stripping the digits and symbols people append to pass a length
 * rule ("password123456!"), and one character repeated.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  const lower = password.toLowerCase();
  const core = lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '');
  if (COMMON.has(lower) || (core.length > 0 && COMMON.has(core))) return 'is too common; choose another';
  if (/^(.)\1*$/u.test(password)) return 'must not repeat a single character';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && (core === local || lower === local)) return 'must not be your e-mail address';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Verifying against a throwaway hash when the e-mail is unknown spends the same time as a real check,
 * so the answer's timing does not tell which addresses exist.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= argon2.hash('enclave-timing-equaliser', HASH_OPTIONS);
  await verifyPassword(await dummyHash, password);
}
