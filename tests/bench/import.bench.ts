import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImportResult } from '@enclave/contracts';
import { copyFile, findPsql, type CopyTool } from './harness/copy';
import { withClient } from './harness/db';
import type { ApiClient } from './harness/http';
import { postgresVersion } from './harness/machine';
import { cpuWindow, RssSampler, rssMB, type CpuWindow, type RssReport } from './harness/proc';
import { StatementTimeline, type StatementSpan } from './harness/pg-activity';
import { fixed } from './harness/report';
import { startServer, type ServerUnderTest } from './harness/server';
import { benchOperator, createBenchOrg, createTextProject } from './harness/setup';
import { atMost, type BenchContext, type Benchmark, type BenchOutcome } from './harness/types';
import { ndjsonLines, taskCopyLines, textTasks, writeLines } from './harness/workload';

/**
 * SPEC §7: import 1,000,000 NDJSON text tasks (~200 B each) through the API in ≤ 2× the time of
 * `psql \copy` of the same rows into the same table of the same server, with the API's peak RSS ≤ 300 MB.
 *
 * Both sides load the same rows (same external ids, same data, priority left to its default) into a
 * fresh project of the same organization, so the unique (org_id, project_id, external_id) index and the
 * other indexes see the same shape. A small untimed warm-up of each side comes first; then the timed
 * rounds alternate API/psql, psql/API, … so neither side always runs on the fuller table. Before every
 * timed run the table is vacuumed and a checkpoint taken, so neither pays for the other's leftovers.
 * The figure of each side is its best (fastest) round.
 */
const COPY_COLUMNS = ['org_id', 'project_id', 'external_id', 'data'];
const SEED = 20240601;
const MB = 1024 * 1024;

interface Run {
  side: 'api' | 'psql';
  round: number;
  projectId: string;
  seconds: number;
  cpu: CpuWindow;
  rss?: RssReport;
  /** The API side: the statements PostgreSQL was busy with, in order. */
  statements?: StatementSpan[];
  /** The machine's 1-minute load average as the run ended: other work on the machine skews a run. */
  loadAverage: number;
}

/** What a project's rows add up to, so that the API's rows can be checked against the reference's. */
async function fingerprint(
  url: string,
  orgId: string,
  projectId: string,
): Promise<{ rows: number; hash: string }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n,
              coalesce(sum(hashtextextended(concat_ws(E'\\x1f', external_id, data::text, priority, status, gold_answer::text), 0)), 0)::text AS h
         FROM tasks WHERE org_id = $1 AND project_id = $2`,
      [orgId, projectId],
    );
    return { rows: rows[0]!.n, hash: rows[0]!.h };
  });
}

/** Leave the table as the next run should find it: nothing left for autovacuum, no dirty buffers to flush. */
async function settle(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query('VACUUM (ANALYZE) tasks').catch(() => undefined);
    await c.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint
  });
}

function psqlVersion(psql: string): string {
  try {
    return execFileSync(psql, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'psql';
  }
}

async function importThroughApi(
  api: ApiClient,
  projectId: string,
  file: string,
  expected: number,
): Promise<number> {
  const res = await api.upload(`/api/v1/projects/${projectId}/tasks`, file, 'application/x-ndjson');
  if (res.status !== 201) throw new Error(`import answered ${res.status}: ${res.body.slice(0, 1000)}`);
  const { imported } = JSON.parse(res.body) as ImportResult;
  if (imported !== expected) throw new Error(`import answered imported=${imported}, expected ${expected}`);
  return res.seconds;
}

async function runImport(ctx: BenchContext): Promise<BenchOutcome> {
  const { options } = ctx;
  const rows = options.rows;
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-bench-import-'));
  ctx.defer(() => fsp.rm(work, { recursive: true, force: true }));

  const operator = benchOperator();
  ctx.log(
    `starting the server (${options.databaseUrl ? 'fresh database on BENCH_DATABASE_URL' : 'embedded PostgreSQL'})`,
  );
  const server: ServerUnderTest = await startServer({
    repoRoot: options.repoRoot,
    databaseUrl: options.databaseUrl,
    operator,
    logFile: path.join(options.artifactsDir, 'import-server.log'),
    logLevel: options.serverLogLevel,
  });
  ctx.defer(() => server.stop());
  const pgVersion = await postgresVersion(server.migratorUrl);
  ctx.log(`server pid ${server.pid} at ${server.url}, PostgreSQL ${pgVersion} (${server.database})`);

  const { api, orgId } = await createBenchOrg(server.url, operator);
  const psql = findPsql();
  const tool: CopyTool = psql ? 'psql' : 'pg-copy-streams';
  const reference = psql
    ? `psql \\copy tasks (${COPY_COLUMNS.join(', ')}) FROM file, as the superuser (${psqlVersion(psql)}, ${psql})`
    : `COPY tasks (${COPY_COLUMNS.join(', ')}) FROM STDIN streamed by pg-copy-streams from Node, as the superuser (no psql binary found)`;

  ctx.log(`generating ${rows.toLocaleString('en-US')} rows`);
  const ndjson = path.join(work, 'tasks.ndjson');
  const bytes = await writeLines(ndjson, ndjsonLines(textTasks(rows, SEED)));
  const warmNdjson = path.join(work, 'warmup.ndjson');
  await writeLines(warmNdjson, ndjsonLines(textTasks(options.warmupRows, SEED + 1)));
  ctx.log(`NDJSON: ${(bytes / MB).toFixed(1)} MB, ${(bytes / rows).toFixed(1)} B a row`);

  let copyBytes = 0;
  const copyFileFor = async (projectId: string, count: number, seed: number) => {
    const file = path.join(work, `copy-${projectId}.tsv`);
    const written = await writeLines(file, taskCopyLines(orgId, projectId, textTasks(count, seed)));
    if (count === rows) copyBytes = written;
    return file;
  };

  // Warm-up: both paths once, small, untimed (JIT, caches, the server's first import).
  ctx.log(`warm-up: ${options.warmupRows.toLocaleString('en-US')} rows each way`);
  const warmApi = await createTextProject(api, 'warm-up (api)');
  await importThroughApi(api, warmApi.id, warmNdjson, options.warmupRows);
  const warmPsql = await createTextProject(api, `warm-up (${tool})`);
  const warmFile = await copyFileFor(warmPsql.id, options.warmupRows, SEED + 1);
  await copyFile({ url: server.migratorUrl, table: 'tasks', columns: COPY_COLUMNS, file: warmFile, psql });
  await fsp.rm(warmFile);

  const idleRssMB = rssMB(server.pid) ?? 0;

  const runs: Run[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order: Run['side'][] = round % 2 === 1 ? ['api', 'psql'] : ['psql', 'api'];
    for (const side of order) {
      const project = await createTextProject(api, `${side} round ${round}`);
      if (side === 'api') {
        await settle(server.migratorUrl);
        ctx.log(`round ${round}: API import`);
        const cpu = cpuWindow(server.pid, server.postmasterPid);
        const rss = new RssSampler(server.pid);
        const timeline = new StatementTimeline(server.migratorUrl);
        await timeline.start();
        rss.start();
        let seconds: number, report: RssReport, statements: StatementSpan[];
        try {
          seconds = await importThroughApi(api, project.id, ndjson, rows);
        } finally {
          report = rss.stop();
          statements = await timeline.stop();
        }
        runs.push({
          side,
          round,
          projectId: project.id,
          seconds,
          cpu: cpu(),
          rss: report,
          statements,
          loadAverage: os.loadavg()[0]!,
        });
        ctx.log(`  ${seconds.toFixed(2)} s, peak RSS ${report.peakMB.toFixed(0)} MB`);
      } else {
        const file = await copyFileFor(project.id, rows, SEED);
        await settle(server.migratorUrl);
        ctx.log(`round ${round}: ${tool}`);
        const cpu = cpuWindow(server.pid, server.postmasterPid);
        const copied = await copyFile({
          url: server.migratorUrl,
          table: 'tasks',
          columns: COPY_COLUMNS,
          file,
          psql,
        });
        if (copied.rows !== rows) throw new Error(`${tool} copied ${copied.rows} rows, expected ${rows}`);
        runs.push({
          side,
          round,
          projectId: project.id,
          seconds: copied.seconds,
          cpu: cpu(),
          loadAverage: os.loadavg()[0]!,
        });
        ctx.log(`  ${copied.seconds.toFixed(2)} s`);
        await fsp.rm(file);
      }
    }
  }

  // Same rows on both sides: count and a hash over every column the import sets or defaults.
  const apiRuns = runs.filter((r) => r.side === 'api');
  const psqlRuns = runs.filter((r) => r.side === 'psql');
  const expected = await fingerprint(server.migratorUrl, orgId, psqlRuns[0]!.projectId);
  for (const r of runs) {
    const got = await fingerprint(server.migratorUrl, orgId, r.projectId);
    if (got.rows !== rows || got.hash !== expected.hash) {
      throw new Error(
        `${r.side} round ${r.round} stored different rows than the reference (${got.rows} rows, hash ${got.hash} vs ${expected.hash})`,
      );
    }
  }

  const best = (rs: Run[]) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const apiBest = best(apiRuns);
  const psqlBest = best(psqlRuns);
  const ratio = apiBest.seconds / psqlBest.seconds;
  const peakRssMB = Math.max(...apiRuns.map((r) => r.rss!.peakMB));

  const table = runs.map((r) => ({
    run: `${r.side} ${r.round}`,
    seconds: fixed(r.seconds),
    'rows/s': Math.round(rows / r.seconds),
    'MB/s': fixed(bytes / MB / r.seconds, 1),
    'server CPU s': fixed(r.cpu.serverSeconds, 1),
    'PG CPU s': fixed(r.cpu.postgresSeconds, 1),
    'client CPU s': fixed(r.cpu.clientSeconds, 1),
    'peak RSS MB': r.rss ? fixed(r.rss.peakMB, 0) : null,
    'load 1m': fixed(r.loadAverage, 1),
  }));

  return {
    reference,
    metrics: [
      { name: 'rows', value: rows },
      {
        name: 'NDJSON bytes',
        value: fixed(bytes / MB, 1)!,
        unit: `MB (${(bytes / rows).toFixed(0)} B a row)`,
      },
      { name: 'API import (best)', value: fixed(apiBest.seconds, 2)!, unit: 's' },
      { name: 'API rows/s', value: Math.round(rows / apiBest.seconds) },
      { name: 'API MB/s', value: fixed(bytes / MB / apiBest.seconds, 1)! },
      { name: `${tool} (best)`, value: fixed(psqlBest.seconds, 2)!, unit: 's' },
      { name: `${tool} rows/s`, value: Math.round(rows / psqlBest.seconds) },
      { name: 'ratio API / reference', value: fixed(ratio, 2)! },
      {
        name: 'ratio of medians',
        value: fixed(median(apiRuns.map((r) => r.seconds)) / median(psqlRuns.map((r) => r.seconds)), 2)!,
      },
      {
        name: 'server peak RSS',
        value: fixed(peakRssMB, 0)!,
        unit: `MB (idle before: ${idleRssMB.toFixed(0)} MB)`,
      },
      { name: 'PostgreSQL', value: `${pgVersion} (${server.database})` },
    ],
    targets: [
      atMost('time ratio API / psql \\copy', ratio, 2.0, '×'),
      atMost('server peak RSS', peakRssMB, 300, 'MB'),
    ],
    runs: table,
    tables: [
      {
        title: `where the best API import (round ${apiBest.round}) spent its time: statements seen active in PostgreSQL for ≥ 0.2 s`,
        rows: (apiBest.statements ?? [])
          .filter((st) => st.seconds >= 0.2)
          .map((st) => ({
            'from s': fixed(st.startedAt, 1),
            seconds: fixed(st.seconds, 1),
            statement: st.statement,
          })),
      },
    ],
    notes: [
      `best of ${options.rounds} round(s) per side, rounds alternating (API first in odd rounds); ${options.warmupRows.toLocaleString('en-US')}-row warm-up of each side untimed`,
      "API time: from the request's first byte to the end of the 201 answer; reference time: from starting psql to its exit",
      'peak RSS: the API process (VmHWM reset before each import, and VmRSS sampled every 50 ms), PostgreSQL not included',
      'client, server and PostgreSQL share the machine: figures compare within this run only; a load average above the CPU count means other work competed',
    ],
    details: {
      rows,
      ndjsonBytes: bytes,
      copyBytes,
      referenceTool: tool,
      postgres: { version: pgVersion, kind: server.database },
      idleRssMB: fixed(idleRssMB, 1),
      runs: runs.map((r) => ({ ...r, rss: r.rss ? { ...r.rss } : undefined })),
    },
  };
}

export const importBenchmark: Benchmark = {
  name: 'import',
  title: 'NDJSON text tasks imported through the API vs psql \\copy of the same rows',
  run: runImport,
};
