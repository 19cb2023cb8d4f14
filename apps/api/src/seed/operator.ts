import pg from 'pg';
import { hashPassword, passwordProblem } from '../core/auth/passwords';

/**
 * Creates the operator from ENCLAVE_OPERATOR_EMAIL / ENCLAVE_OPERATOR_PASSWORD when the instance has
 * none. Runs as the migrator: operators are platform rows no tenant can see.
 */
export async function ensureOperator(migratorUrl: string, email: string, password: string): Promise<'created' | 'exists'> {
  const client = new pg.Client({ connectionString: migratorUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM operators LIMIT 1');
    if ((existing.rowCount ?? 0) > 0) return 'exists';
    const problem = passwordProblem(password, { email });
    if (problem) throw new Error(`ENCLAVE_OPERATOR_PASSWORD: ${problem}`);
    const hash = await hashPassword(password);
    await client.query('BEGIN');
    try {
      await client.query('INSERT INTO email_directory (email) VALUES ($1)', [email.toLowerCase()]);
      await client.query("INSERT INTO operators (email, name, password_hash) VALUES ($1, 'Operator', $2)", [email.toLowerCase(), hash]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      if ((err as { code?: string }).code === '23505') {
        throw new Error(`ENCLAVE_OPERATOR_EMAIL: ${email} already belongs to a user of an organization`);
      }
      throw err;
    }
    return 'created';
  } finally {
    await client.end();
  }
}
