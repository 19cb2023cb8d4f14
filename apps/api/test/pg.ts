import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A short-lived direct connection, closed whatever happens. With the migrator's URL this is the
 * superuser owner of the throwaway database: only for what the runtime role must never be able to do
 * (tampering, scratch DDL, catalog checks).
 */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` in a transaction of its own on `client` and commits it (rolls back on error). */
export async function inTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A 32-byte value, the size of every token, session and CSRF hash in the schema. */
export function hash32(): Buffer {
  return randomBytes(32);
}

/**
 * A schema of its own for DDL a test needs (scratch tables, views), so that the catalog checks of the
 * schema test, which look at `public`, never see another file's experiments. Dropped with everything
 * in it by `drop()`.
 */
export async function createScratchSchema(migratorUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `scratch_${randomBytes(5).toString('hex')}`;
  await withClient(migratorUrl, async (c) => {
    await c.query(`CREATE SCHEMA ${name}`);
    await c.query(`GRANT USAGE ON SCHEMA ${name} TO enclave_runtime`);
  });
  return {
    name,
    drop: () => withClient(migratorUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}

/** The user name of a connection string (the login role it connects as). */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
