import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withClient } from './db';

/**
 * The server under test: the built API (`node apps/api/dist/main.js`) as its own process, spawned
 * directly (no npm wrapper) so that its pid is the process that serves HTTP and whose memory we read.
 * It gets a temporary ENCLAVE_DATA_DIR, and either its own embedded PostgreSQL there or a fresh
 * database made for the run on the server that BENCH_DATABASE_URL names.
 */
export interface ServerUnderTest {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The API's node process. */
  pid: number;
  /** The migrator (a superuser on the embedded server): for references and checks behind the API's back. */
  migratorUrl: string;
  database: 'embedded' | 'external';
  /** The PostgreSQL postmaster's pid when it runs on this machine (for CPU accounting), else null. */
  postmasterPid: number | null;
  logFile: string;
  /** SIGTERM, wait for a clean stop (the embedded server stops with it), remove the data directory. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  repoRoot: string;
  /** A server to make a fresh database on (the database in the URL is only used to connect). */
  databaseUrl: string | undefined;
  operator: { email: string; password: string };
  logFile: string;
  logLevel: string;
  /** Extra configuration of the server under test. */
  env?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port')),
      );
    });
  });
}

/** The environment of the caller minus everything that configures Enclave: the bench sets its own. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ENCLAVE_|DATABASE_|PORT$|HOST$|LOG_LEVEL$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  await withClient(url, (c) => c.query(sql));
}

async function tail(file: string, lines = 40): Promise<string> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 && ((await res.json()) as { db?: string }).db === 'ok';
  } catch {
    return false;
  }
}

/** The embedded server writes its port into postmaster.pid and its superuser password under secrets/ (as cli.ts reads them). */
async function embeddedMigrator(dataDir: string): Promise<{ url: string; postmasterPid: number }> {
  const pidLines = (await fsp.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n');
  const postmasterPid = Number(pidLines[0]);
  const port = Number(pidLines[3]);
  const password = (
    await fsp.readFile(path.join(dataDir, 'secrets', 'postgres-superuser-password'), 'utf8')
  ).trim();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/enclave`,
    postmasterPid,
  };
}

/** The postmaster of a server on this machine: the parent of our own backend. */
async function localPostmaster(url: string): Promise<number | null> {
  return withClient(url, async (c) => {
    try {
      const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const stat = await fsp.readFile(`/proc/${rows[0]!.pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const comm = (await fsp.readFile(`/proc/${ppid}/comm`, 'utf8')).trim();
      return comm.startsWith('postgres') ? ppid : null;
    } catch {
      return null; // not on this machine, or another pid namespace (a container)
    }
  });
}

export async function startServer(opts: StartServerOptions): Promise<ServerUnderTest> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-bench-'));
  // Under root the embedded server runs as `postgres`, which must be able to reach <dataDir>/pg.
  await fsp.chmod(dataDir, 0o755);
  const cleanups: (() => Promise<void>)[] = [() => fsp.rm(dataDir, { recursive: true, force: true })];
  const runCleanups = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };

  let child: ChildProcess | undefined;
  let exited = false;
  let postmasterPid: number | null = null;

  const stopProcess = async () => {
    if (child && !exited) {
      child.kill('SIGTERM');
      if (!(await waitUntil(() => exited, 60_000))) {
        child.kill('SIGKILL');
        await waitUntil(() => exited, 5_000);
      }
    }
    // A server killed outright leaves its embedded PostgreSQL running (pg_ctl detaches it): stop that too.
    if (!opts.databaseUrl) {
      const leftover = await embeddedMigrator(dataDir).then(
        (m) => m.postmasterPid,
        () => null,
      );
      if (leftover !== null && alive(leftover)) {
        process.kill(leftover, 'SIGINT'); // fast shutdown
        await waitUntil(() => !alive(leftover), 30_000);
      }
    }
  };

  try {
    let migratorUrl: string | undefined;
    if (opts.databaseUrl) {
      const name = `enclave_bench_${randomBytes(4).toString('hex')}`;
      await adminQuery(opts.databaseUrl, `CREATE DATABASE ${name}`);
      cleanups.push(() => adminQuery(opts.databaseUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      migratorUrl = withDatabase(opts.databaseUrl, name);
    }

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await fsp.mkdir(path.dirname(opts.logFile), { recursive: true });
    const logFd = fs.openSync(opts.logFile, 'w');
    // BENCH_SERVER_NODE_ARGS: extra flags for the server's Node.js, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    child = spawn(
      process.execPath,
      [...nodeArgs, path.join(opts.repoRoot, 'apps', 'api', 'dist', 'main.js')],
      {
        cwd: opts.repoRoot,
        env: {
          ...baseEnv(),
          PORT: String(port),
          HOST: '127.0.0.1',
          ENCLAVE_DATA_DIR: dataDir,
          ENCLAVE_DEMO: '0',
          ENCLAVE_OPERATOR_EMAIL: opts.operator.email,
          ENCLAVE_OPERATOR_PASSWORD: opts.operator.password,
          LOG_LEVEL: opts.logLevel,
          ...(migratorUrl ? { DATABASE_URL: migratorUrl } : {}),
          ...opts.env,
        },
        stdio: ['ignore', logFd, logFd],
      },
    );
    fs.closeSync(logFd);
    child.once('exit', () => (exited = true));
    cleanups.push(stopProcess);

    const deadline = Date.now() + 180_000;
    while (!(await healthy(url))) {
      if (exited)
        throw new Error(
          `the server exited during start (code ${child.exitCode}):\n${await tail(opts.logFile)}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `the server did not answer /api/v1/health within 180 s:\n${await tail(opts.logFile)}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }

    if (!migratorUrl) {
      const embedded = await embeddedMigrator(dataDir);
      migratorUrl = embedded.url;
      postmasterPid = embedded.postmasterPid;
    } else {
      postmasterPid = await localPostmaster(migratorUrl);
    }

    return {
      url,
      pid: child.pid!,
      migratorUrl,
      database: opts.databaseUrl ? 'external' : 'embedded',
      postmasterPid,
      logFile: opts.logFile,
      stop: runCleanups,
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
