import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { provisionRuntimeRole, runMigrations } from '../src/core/db/bootstrap';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/core/db/embedded';

export interface TestDatabase {
  /** The migrator (owner) of the throwaway database: for setup that must bypass the API, and tamper tests. */
  migratorUrl: string;
  /** The runtime role, as the API connects: every test query goes through it. */
  appUrl: string;
  /** A superuser of the same server (the embedded one's, or TEST_DATABASE_URL's). */
  superuserUrl: string;
  close(): Promise<void>;
}

/**
 * A fresh database for one test run: on TEST_DATABASE_URL's server when it is set, else on an embedded
 * PostgreSQL under a temporary directory. Migrations run as the migrator and the runtime role is
 * provisioned exactly as `npm start` does.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `enclave_test_${randomBytes(5).toString('hex')}`;
  let embedded: EmbeddedServer | undefined;
  let tmp: string | undefined;
  let serverUrl: string;
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
  } else {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-test-'));
    await fs.chmod(tmp, 0o755);
    embedded = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), secretsDir: path.join(tmp, 'secrets'), database: 'postgres' });
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const migratorUrl = url.toString();
  await runMigrations(migratorUrl);
  const appUrl = await provisionRuntimeRole(migratorUrl, { statementTimeoutMs: 15000 });
  return {
    migratorUrl,
    appUrl,
    superuserUrl: migratorUrl,
    async close() {
      if (embedded) {
        await embedded.stop();
        if (tmp) await fs.rm(tmp, { recursive: true, force: true });
      } else {
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await c.end();
      }
    },
  };
}
