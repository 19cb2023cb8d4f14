import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { LABEL_TEMPLATES } from '@enclave/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a user runs it: the built server on an embedded PostgreSQL under a fresh
 * ENCLAVE_DATA_DIR. Proves the first start seeds and prints the demo, a restart keeps every row,
 * SIGTERM lets in-flight requests finish and leaves no PostgreSQL behind, and a wrong variable stops
 * the start with its name.
 */
const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'apps/api/dist/main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  port: number;
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];

async function start(dataDir: string): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ENCLAVE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', DATABASE_APP_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Enclave is running')) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out, port };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

function postgresRunningOn(dir: string): boolean {
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').some((l) => l.includes('postgres') && l.includes(`-D ${dir}`));
}

async function login(port: number, email: string, password: string) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('enclave_csrf='))?.split('=')[1] ?? '';
  return { status: res.status, cookie: cookies.join('; '), csrf };
}

/** A sign-in whose request is fully written (`sent`) before its answer (`status`) arrives. */
function loginInFlight(port: number, email: string, password: string): { sent: Promise<void>; status: Promise<number> } {
  let sent!: () => void;
  const sentP = new Promise<void>((resolve) => (sent = resolve));
  const status = new Promise<number>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/v1/auth/login', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('finish', sent);
    req.on('error', reject);
    req.end(JSON.stringify({ email, password }));
  });
  return { sent: sentP, status };
}

describe('npm start lifecycle', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-start-'));
    await fs.chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGINT');
        await exited(c);
      }
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('seeds and prints the demo, survives a restart and shuts down cleanly', async () => {
    const first = await start(dataDir);
    const printed = first.output();
    const owner = /owner\s+(\S+@demo\.enclave\.local)\s+(\S+)/.exec(printed);
    expect(owner, printed).not.toBeNull();
    const web = await fetch(`http://127.0.0.1:${first.port}/`);
    expect(web.status).toBe(200);
    expect(web.headers.get('content-security-policy')).toContain("default-src 'self'");

    const s = await login(first.port, owner![1]!, owner![2]!);
    expect(s.status).toBe(200);
    // One project per template, each loaded with its sample data.
    const projects = (await (
      await fetch(`http://127.0.0.1:${first.port}/api/v1/projects?limit=500`, { headers: { cookie: s.cookie } })
    ).json()) as { items: { id: string; templateId: string | null }[] };
    expect(projects.items.map((p) => p.templateId).sort()).toEqual(LABEL_TEMPLATES.map((t) => t.id).sort());
    for (const p of projects.items) {
      const one = (await (await fetch(`http://127.0.0.1:${first.port}/api/v1/projects/${p.id}`, { headers: { cookie: s.cookie } })).json()) as {
        taskCounts: { total: number };
      };
      expect(one.taskCounts.total, p.templateId ?? '').toBeGreaterThanOrEqual(8);
    }
    const annotator = /annotator\s+(\S+@demo\.enclave\.local)\s+(\S+)/.exec(printed);
    const a = await login(first.port, annotator![1]!, annotator![2]!);
    const visible = (await (await fetch(`http://127.0.0.1:${first.port}/api/v1/projects`, { headers: { cookie: a.cookie } })).json()) as {
      items: { myRole: string }[];
    };
    expect(visible.items.map((p) => p.myRole)).toEqual(Array(LABEL_TEMPLATES.length).fill('annotator'));
    const created = await fetch(`http://127.0.0.1:${first.port}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify({ email: 'kept@example.test', name: 'Kept', role: 'annotator', password: 'a passphrase that is kept' }),
    });
    expect(created.status).toBe(201);

    // In-flight requests (each runs argon2 and writes a session and an audit event) finish after SIGTERM.
    // SIGTERM once every request is written and the server has had a moment to read it (on a loaded
    // machine a fixed delay after starting the requests was not enough for them to arrive).
    const inflight = Array.from({ length: 8 }, () => loginInFlight(first.port, owner![1]!, owner![2]!));
    await Promise.all(inflight.map((r) => r.sent));
    await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGTERM');
    expect(await Promise.all(inflight.map((r) => r.status))).toEqual(Array(8).fill(200));
    expect(await exited(first.child)).toBe(0);
    expect(postgresRunningOn(path.join(dataDir, 'pg'))).toBe(false);

    const second = await start(dataDir);
    try {
      // The same demo logins are printed again (not re-seeded), and the rows written before are there.
      expect(second.output()).toContain(owner![2]!);
      const again = await login(second.port, owner![1]!, owner![2]!);
      expect(again.status).toBe(200);
      const users = await fetch(`http://127.0.0.1:${second.port}/api/v1/users?limit=500`, { headers: { cookie: again.cookie } });
      const body = (await users.json()) as { items: { email: string }[] };
      expect(body.items.map((u) => u.email)).toContain('kept@example.test');
      const verify = await fetch(`http://127.0.0.1:${second.port}/api/v1/audit/verify`, { headers: { cookie: again.cookie } });
      const chain = (await verify.json()) as { valid: boolean; checked: number };
      expect(chain.valid).toBe(true);
      // org, 5 users, logins (1 + 8 + 1), the created user: nothing in flight was lost
      expect(chain.checked).toBeGreaterThanOrEqual(16);
    } finally {
      second.child.kill('SIGINT');
      expect(await exited(second.child)).toBe(0);
    }
    expect(postgresRunningOn(path.join(dataDir, 'pg'))).toBe(false);
  });

  it('refuses a wrong variable and names it', () => {
    const r = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty', ENCLAVE_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT');
    const r2 = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'mysql://nope', ENCLAVE_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('DATABASE_URL');
  });
});
