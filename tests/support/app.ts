import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { expect, inject } from 'vitest';
import type { AuditEventView, CreateOrgInput, MeResponse, OrgView, Page } from '@enclave/contracts';
import { createApp, createAppDataSource } from '../../apps/api/src/app';
import { AuditService } from '../../apps/api/src/core/audit/audit.service';
import { hashPassword } from '../../apps/api/src/core/auth/passwords';
import { loadConfig } from '../../apps/api/src/core/config/config';
import { Db } from '../../apps/api/src/core/db/tenant';
import { createTestOrg, TEST_PASSWORD, type TestOrg, type TestUser } from '../../apps/api/test/fixtures';
import { Client, type HttpResponse } from './http';

export { TEST_PASSWORD, type TestOrg, type TestUser };

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  app: NestExpressApplication;
  dataSource: DataSource;
  /** The throwaway database's owner role: for setup behind the API's back and for tamper tests. */
  migratorUrl: string;
  close(): Promise<void>;
}

/**
 * The real Nest app, in this test file's process, on a random port of 127.0.0.1, connected as the
 * runtime role to the run's database. `env` overrides the configuration (throttle limits, trust proxy).
 * Every file of the suite comes from 127.0.0.1, so the per-address sign-in limit is lifted unless a
 * file sets it: the throttle file tests it from addresses of its own.
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const appUrl = inject('appUrl');
  const migratorUrl = inject('migratorUrl');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-e2e-'));
  const config = loadConfig({
    ENCLAVE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ENCLAVE_DEMO: '0',
    ENCLAVE_DB_POOL_SIZE: '4',
    ENCLAVE_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    ...env,
  });
  const dataSource = createAppDataSource(appUrl, config);
  await dataSource.initialize();
  const app = await createApp(config, dataSource);
  await app.init();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    dataSource,
    migratorUrl,
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A statement as the migrator (the schema's owner, a superuser of the test server). */
export async function asMigrator<T extends pg.QueryResultRow = pg.QueryResultRow>(
  migratorUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: migratorUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A statement as a superuser with triggers switched off for the transaction: what an intruder with
 * database access could do behind the API's back.
 */
export async function tamper(migratorUrl: string, sql: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: migratorUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const r = await client.query(sql, params);
    if (r.rowCount !== 1) throw new Error(`tamper touched ${r.rowCount} rows`);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

export interface Operator {
  id: string;
  email: string;
  password: string;
}

/** An operator of its own for the test file, written as `ensureOperator` does (as the migrator). */
export async function createOperator(migratorUrl: string): Promise<Operator> {
  const email = `operator.${randomBytes(5).toString('hex')}@platform.test`;
  const password = 'operator e2e passphrase';
  const hash = await hashPassword(password);
  const client = new pg.Client({ connectionString: migratorUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO email_directory (email) VALUES ($1)', [email]);
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO operators (email, name, password_hash) VALUES ($1, 'E2E Operator', $2) RETURNING id",
      [email, hash],
    );
    await client.query('COMMIT');
    return { id: rows[0]!.id, email, password };
  } finally {
    await client.end();
  }
}

/** A new organization with one user per role (password TEST_PASSWORD), written as the operator does. */
export function createOrg(running: RunningApp): Promise<TestOrg> {
  return createTestOrg(running.app.get(Db), running.app.get(AuditService));
}

/** A new organization created over HTTP by the operator; its owner signs in with `password`. */
export async function createOrgViaApi(
  operator: Client,
  overrides: Partial<CreateOrgInput> = {},
): Promise<OrgView & { owner: { email: string; password: string } }> {
  const slug = overrides.slug ?? `e2e-${randomBytes(5).toString('hex')}`;
  const owner = overrides.owner ?? {
    email: `owner.${slug}@example.test`,
    name: `Owner of ${slug}`,
    password: 'owner e2e passphrase',
  };
  const res = await operator.post('/api/v1/platform/orgs', {
    name: overrides.name ?? `Org ${slug}`,
    slug,
    owner,
  });
  expect(res.status, res.toString()).toBe(201);
  return { ...res.json<OrgView>(), owner: { email: owner.email, password: owner.password } };
}

/** Signs in through the API and returns the client holding the cookies; fails the test otherwise. */
export async function signIn(
  baseUrl: string,
  who: { email: string; password?: string },
  opts: { localAddress?: string; userAgent?: string } = {},
): Promise<Client> {
  const client = new Client(baseUrl, opts);
  const res = await client.post('/api/v1/auth/login', {
    email: who.email,
    password: who.password ?? TEST_PASSWORD,
  });
  expect(res.status, `sign-in of ${who.email}: ${res.toString()}`).toBe(200);
  return client;
}

export async function me(client: Client): Promise<MeResponse> {
  const res = await client.get('/api/v1/auth/me');
  expect(res.status, res.toString()).toBe(200);
  return res.json<MeResponse>();
}

/** Every event of the caller's organization matching `query`, newest first, across all pages. */
export async function auditEvents(
  client: Client,
  query: Record<string, string> = {},
): Promise<AuditEventView[]> {
  const out: AuditEventView[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams({ ...query, limit: '500', ...(cursor ? { cursor } : {}) });
    const res: HttpResponse = await client.get(`/api/v1/audit?${qs}`);
    expect(res.status, res.toString()).toBe(200);
    const page = res.json<Page<AuditEventView>>();
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Asserts that the request with this id was recorded as an `access.denied` event, and returns it. */
export async function expectDenialAudited(
  reader: Client,
  requestId: string,
  status?: number,
): Promise<AuditEventView> {
  const denials = await auditEvents(reader, { action: 'access.denied' });
  const event = denials.find((e) => e.requestId === requestId);
  expect(event, `no access.denied event for request ${requestId}`).toBeDefined();
  expect(event!.outcome).toBe('denied');
  if (status !== undefined) expect(event!.details.status).toBe(status);
  return event!;
}

/** The error body's shape, the same for every failure. */
export function expectErrorShape(res: HttpResponse, status: number, code?: string): void {
  expect(res.status, res.toString()).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/json/);
  const body = res.json<{ error: { code: unknown; message: unknown; details: unknown } }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toMatch(/^[A-Z][A-Z_]*$/);
  expect(typeof body.error.message).toBe('string');
  expect((body.error.message as string).length).toBeGreaterThan(0);
  expect(Array.isArray(body.error.details)).toBe(true);
  if (code) expect(body.error.code).toBe(code);
}

const ROOT = path.resolve(__dirname, '../..');

/** The built CLI: `npm run build` (or the test run's build stage) makes it. */
export const CLI = path.join(ROOT, 'apps/api/dist/cli.js');

/** Runs the built CLI from the repository's root with only PATH and `env` set, to the end of its output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
