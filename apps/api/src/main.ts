import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp, createAppDataSource } from './app';
import { ConfigError, loadConfig, type AppConfig } from './core/config/config';
import { assertRuntimeRoleIsSafe, provisionRuntimeRole, runMigrations } from './core/db/bootstrap';
import { startEmbeddedPostgres, type EmbeddedServer } from './core/db/embedded';
import { DemoSeeder, type DemoLogin } from './seed/demo.seeder';
import { ensureOperator } from './seed/operator';

export interface Database {
  migratorUrl: string;
  appUrl: string;
  embedded?: EmbeddedServer;
}

/**
 * The database Enclave runs on: DATABASE_URL, or an embedded PostgreSQL under ENCLAVE_DATA_DIR.
 * Migrations run as the migrator; the API then connects as the runtime role, checked to be unable to
 * skip row-level security.
 */
export async function prepareDatabase(config: AppConfig, log: pino.Logger): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let migratorUrl = config.databaseUrl;
  if (!migratorUrl) {
    await fs.mkdir(config.dataDir, { recursive: true, mode: 0o755 });
    embedded = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'pg'),
      secretsDir: path.join(config.dataDir, 'secrets'),
      port: config.embeddedPgPort,
      log: (m) => log.info(m),
    });
    migratorUrl = embedded.url;
  }
  try {
    await runMigrations(migratorUrl, (m) => log.info(m));
    const appUrl =
      config.databaseAppUrl ?? (await provisionRuntimeRole(migratorUrl, { statementTimeoutMs: config.statementTimeoutMs }));
    await assertRuntimeRoleIsSafe(appUrl);
    return { migratorUrl, appUrl, embedded };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

function demoPassword(): string {
  return randomBytes(15).toString('base64url');
}

async function ensureOperatorFor(config: AppConfig, migratorUrl: string, log: pino.Logger): Promise<DemoLogin | undefined> {
  if (config.operator) {
    const r = await ensureOperator(migratorUrl, config.operator.email, config.operator.password);
    if (r === 'created') log.info({ email: config.operator.email }, 'operator created');
    return undefined;
  }
  if (!config.demo) return undefined;
  // A demo instance gets an operator too, with a random password kept beside the demo logins.
  const file = path.join(config.dataDir, 'secrets', 'demo-operator.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as DemoLogin;
  } catch {
    const login: DemoLogin = { role: 'operator', email: 'operator@demo.enclave.local', password: demoPassword() };
    if ((await ensureOperator(migratorUrl, login.email, login.password)) === 'exists') return undefined;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(file, JSON.stringify(login), { mode: 0o600 });
    return login;
  }
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, name: 'enclave' });
  const db = await prepareDatabase(config, log);
  const operatorLogin = await ensureOperatorFor(config, db.migratorUrl, log).catch(async (err: Error) => {
    await db.embedded?.stop();
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  });

  const dataSource = createAppDataSource(db.appUrl, config);
  await dataSource.initialize();
  const app = await createApp(config, dataSource);
  await app.init();
  const logins = config.demo ? await app.get(DemoSeeder).seedIfFresh() : [];
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;

  const url = `http://localhost:${config.port}`;
  const lines = [`Enclave is running at ${url}`, `  API docs: ${url}/api/docs`];
  if (operatorLogin || logins.length > 0) {
    lines.push('  Demo sign-ins (random passwords, kept in ENCLAVE_DATA_DIR/secrets):');
    for (const l of operatorLogin ? [operatorLogin, ...logins] : logins) lines.push(`    ${l.role.padEnd(9)} ${l.email}  ${l.password}`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('in-flight requests did not finish within 25 s; closing connections');
      server.closeAllConnections();
    }, 25_000);
    force.unref();
    try {
      // Stop accepting, let in-flight requests finish (their transactions commit), then close the pool.
      // A request already sent but not yet read (accept queue, socket buffer) is in flight too, yet
      // server.close() resets such connections as idle: give the event loop a moment to read them first.
      await new Promise((resolve) => setTimeout(resolve, 250));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    } catch (err) {
      log.error({ err }, 'error while shutting down');
    } finally {
      await db.embedded?.stop();
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Enclave failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
