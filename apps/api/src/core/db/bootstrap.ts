import { createHmac } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS, RUNTIME_GROUP_ROLE } from '@enclave/migrations';

/** The login role the migrator provisions when no DATABASE_APP_URL is given. */
export const RUNTIME_LOGIN_ROLE = 'enclave_app';
const MIGRATION_LOCK_KEY = 7_077_001;

export interface RuntimeRoleOptions {
  statementTimeoutMs: number;
}

/**
 * Applies every pending migration as the migrator. Replicas starting together take turns on an
 * advisory lock, so each migration runs once.
 */
export async function runMigrations(migratorUrl: string, log: (m: string) => void = () => undefined): Promise<void> {
  const lock = new pg.Client({ connectionString: migratorUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const ds = new DataSource({
      type: 'postgres',
      url: migratorUrl,
      migrations: MIGRATIONS,
      migrationsTableName: 'enclave_migrations',
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations();
      for (const m of applied) log(`migration applied: ${m.name}`);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}

/**
 * The runtime role's password is derived from the migrator's connection string, so every replica
 * configured with the same DATABASE_URL derives the same one and none needs to store it.
 */
export function derivedRuntimePassword(migratorUrl: string): string {
  return createHmac('sha256', migratorUrl).update(`enclave-runtime-role:${RUNTIME_LOGIN_ROLE}`).digest('hex');
}

/** Creates or refreshes `enclave_app` (login, no superuser, no BYPASSRLS, member of enclave_runtime). */
export async function provisionRuntimeRole(migratorUrl: string, opts: RuntimeRoleOptions): Promise<string> {
  const password = derivedRuntimePassword(migratorUrl);
  const client = new pg.Client({ connectionString: migratorUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(RUNTIME_LOGIN_ROLE);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [RUNTIME_LOGIN_ROLE]);
    if (exists.rowCount === 0) {
      await client
        .query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT`)
        .catch((err: { code?: string }) => {
          if (err.code !== '42710' && err.code !== '23505') throw err; // created concurrently
        });
    }
    await client.query(
      `ALTER ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT PASSWORD ${client.escapeLiteral(password)}`,
    );
    await client.query(`GRANT ${client.escapeIdentifier(RUNTIME_GROUP_ROLE)} TO ${role}`);
    const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(db)} TO ${role}`);
    await client.query(`ALTER ROLE ${role} SET statement_timeout = ${Number(opts.statementTimeoutMs)}`);
    await client.query(`ALTER ROLE ${role} SET idle_in_transaction_session_timeout = 60000`);
  } finally {
    await client.end();
  }
  const url = new URL(migratorUrl);
  url.username = RUNTIME_LOGIN_ROLE;
  url.password = password;
  return url.toString();
}

/**
 * Refuses to serve through a role that would skip row-level security: a superuser, a BYPASSRLS role,
 * the tables' owner, or one that may TRUNCATE or change the audit log.
 */
export async function assertRuntimeRoleIsSafe(appUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    const r = await client.query<{
      rolname: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
      owns: number;
      truncatable: number;
      audit_writable: boolean;
    }>(`
      SELECT r.rolname, r.rolsuper, r.rolbypassrls,
             (SELECT count(*)::int FROM pg_tables t WHERE t.schemaname = 'public'
                 AND pg_has_role(current_user, t.tableowner, 'USAGE')) AS owns,
             (SELECT count(*)::int FROM pg_tables t WHERE t.schemaname = 'public'
                 AND has_table_privilege(current_user, format('%I.%I', t.schemaname, t.tablename), 'TRUNCATE')) AS truncatable,
             has_table_privilege(current_user, 'public.audit_events', 'UPDATE')
               OR has_table_privilege(current_user, 'public.audit_events', 'DELETE') AS audit_writable
        FROM pg_roles r WHERE r.rolname = current_user`);
    const row = r.rows[0];
    if (!row) throw new Error('the runtime role could not read its own pg_roles entry');
    const problems: string[] = [];
    if (row.rolsuper) problems.push('is a superuser');
    if (row.rolbypassrls) problems.push('has BYPASSRLS');
    if (row.owns > 0) problems.push('owns (or inherits the owner of) tables');
    if (row.truncatable > 0) problems.push('may TRUNCATE tables');
    if (row.audit_writable) problems.push('may UPDATE or DELETE audit events');
    if (problems.length > 0) {
      throw new Error(
        `Refusing to start: the runtime database role "${row.rolname}" ${problems.join(', ')}; ` +
          'row-level security would not protect tenants. Use DATABASE_APP_URL with a role that has only enclave_runtime.',
      );
    }
  } finally {
    await client.end();
  }
}
