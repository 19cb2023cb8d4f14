import { execFileSync, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { LabelConfigInput, ProjectView } from '@enclave/contracts';
import { to as copyTo } from 'pg-copy-streams';
import { findPsql } from './harness/copy';
import { connect, withClient } from './harness/db';
import { ApiClient } from './harness/http';
import { postgresVersion } from './harness/machine';
import { cpuWindow, RssSampler, rssMB, type CpuWindow, type RssReport } from './harness/proc';
import { fixed } from './harness/report';
import { startServer, type ServerUnderTest } from './harness/server';
import { benchOperator, createBenchOrg } from './harness/setup';
import { atMost, type BenchContext, type Benchmark, type BenchOutcome } from './harness/types';

/**
 * SPEC §7: export 1,000,000 annotations as JSONL through the API in ≤ 2× the time of `psql \copy (select
 * …) to` of the same rows, with the first byte within 1 s and the API's peak RSS ≤ 300 MB.
 *
 * The project has a text field, a single-choice and a text question; ANNOTATORS annotators each submitted
 * an annotation of every task, so BENCH_ROWS annotations make BENCH_ROWS / ANNOTATORS tasks. The rows are
 * written straight into the tables as the superuser with `INSERT … SELECT generate_series`, as the
 * annotation routes would leave them (set-up, not measured). The reference runs the API's own statement
 * (the same one, values inlined) under psql as the superuser, which skips row-level security: it is the
 * floor. Rounds alternate API/psql, psql/API; each side's figure is its best round.
 */
const ANNOTATORS = 4;
const MB = 1024 * 1024;

const CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    { name: 'label', type: 'single_choice', options: ['a', 'b'] },
    { name: 'note', type: 'text', required: false },
  ],
};

interface Run {
  side: 'api' | 'psql';
  round: number;
  seconds: number;
  /** API: from the request to its first body byte. */
  firstByteSeconds: number | null;
  bytes: number;
  lines: number;
  cpu: CpuWindow;
  rss?: RssReport;
  loadAverage: number;
}

interface Seeded {
  project: ProjectView;
  tasks: number;
  annotations: number;
}

/**
 * `annotations` submitted annotations over ⌈annotations / ANNOTATORS⌉ tasks of ~150 characters of text,
 * each with a choice and a short note, written as the superuser.
 */
async function seed(
  api: ApiClient,
  migratorUrl: string,
  orgId: string,
  annotators: string[],
  name: string,
  annotations: number,
): Promise<Seeded> {
  const project = await api.call<ProjectView>('POST', '/api/v1/projects', { name, labelConfig: CONFIG });
  const tasks = Math.ceil(annotations / ANNOTATORS);
  await withClient(migratorUrl, async (c) => {
    await c.query(
      `INSERT INTO tasks (org_id, project_id, external_id, data)
       SELECT $1, $2, 't-' || lpad(i::text, 7, '0'),
              jsonb_build_object('text', 'Task ' || i || ': ' || left(repeat(md5(i::text) || ' "quoted" ', 4), 140))
         FROM generate_series(1, $3::int) i`,
      [orgId, project.id, tasks],
    );
    // n-th annotator of the task; the last tasks get fewer when the count does not divide
    await c.query(
      `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision,
                                lead_time_ms, created_at, updated_at, submitted_at)
       SELECT t.org_id, t.project_id, t.id, u.id, 'submitted',
              jsonb_build_object('label', CASE WHEN (t.seq + u.n) % 2 = 0 THEN 'a' ELSE 'b' END,
                                 'note', 'note ' || left(md5(t.seq::text || u.n), 16)),
              1, 1, 1000 + (t.seq % 5000), now() - interval '1 day', now() - interval '1 day', now()
         FROM (SELECT id, seq, org_id, project_id, row_number() OVER (ORDER BY seq) AS k
                 FROM tasks WHERE org_id = $1 AND project_id = $2) t
         CROSS JOIN (SELECT id, n FROM unnest($3::uuid[]) WITH ORDINALITY AS x(id, n)) u
        WHERE (t.k - 1) * $4::int + u.n <= $5::int`,
      [orgId, project.id, annotators, ANNOTATORS, annotations],
    );
  });
  return { project, tasks, annotations };
}

/** The API side: the export read as it arrives and thrown away, timed to its first and last byte. */
function exportThroughApi(
  baseUrl: string,
  token: string,
  projectId: string,
): Promise<{ status: number; seconds: number; firstByteSeconds: number; bytes: number; lines: number }> {
  const url = new URL(`/api/v1/projects/${projectId}/export?format=jsonl`, baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first = -1;
    let bytes = 0;
    let lines = 0;
    const req = http.get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (first < 0) first = performance.now();
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          done();
        },
      });
      pipeline(res, sink).then(
        () =>
          resolve({
            status: res.statusCode ?? 0,
            seconds: (performance.now() - started) / 1000,
            firstByteSeconds: ((first < 0 ? performance.now() : first) - started) / 1000,
            bytes,
            lines,
          }),
        reject,
      );
    });
    req.on('error', reject);
  });
}

interface ExportQueryInput {
  orgId: string;
  projectId: string;
  salt: string;
  status: 'submitted' | 'accepted' | 'all';
  identities: boolean;
  passes: 1 | 2;
}
type ExportQuery = (input: ExportQueryInput) => { text: string; values: unknown[] };

/** The built server's own statement builder: the bench measures apps/api/dist, as it runs it. */
async function loadExportQuery(repoRoot: string): Promise<ExportQuery> {
  const file = path.join(repoRoot, 'apps', 'api', 'dist', 'exports', 'export-query.js');
  return ((await import(file)) as { exportQuery: ExportQuery }).exportQuery;
}

/** The API's statement with its values written in, for psql (the values are ours: uuids and a salt). */
function referenceSql(exportQuery: ExportQuery, orgId: string, projectId: string, salt: string): string {
  const { text, values } = exportQuery({
    orgId,
    projectId,
    salt,
    status: 'submitted',
    identities: false,
    passes: 1,
  });
  const literal = (v: unknown): string =>
    Array.isArray(v) ? `ARRAY[${v.map(literal).join(', ')}]` : `'${String(v).replace(/'/g, "''")}'`;
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
  return `SELECT record FROM (${inlined}) q`.replace(/\s+/g, ' ');
}

/** `psql \copy (select …) to 'file'`, from starting psql to its exit; without psql, COPY … TO STDOUT from Node. */
async function copyOut(
  migratorUrl: string,
  sql: string,
  file: string,
  psql: string | null,
): Promise<{ seconds: number; rows: number; bytes: number }> {
  const started = performance.now();
  if (!psql) {
    const client = await connect(migratorUrl);
    try {
      const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT`));
      await pipeline(stream, (await fsp.open(file, 'w')).createWriteStream());
      return {
        seconds: (performance.now() - started) / 1000,
        rows: stream.rowCount,
        bytes: (await fsp.stat(file)).size,
      };
    } finally {
      await client.end();
    }
  }
  const u = new URL(migratorUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const command = `\\copy (${sql}) TO '${file.replace(/'/g, "''")}'`;
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
  return { seconds, rows: Number(m[1]), bytes: (await fsp.stat(file)).size };
}

function psqlVersion(psql: string): string {
  try {
    return execFileSync(psql, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'psql';
  }
}

async function runExport(ctx: BenchContext): Promise<BenchOutcome> {
  const { options } = ctx;
  const rows = options.rows;
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-bench-export-'));
  ctx.defer(() => fsp.rm(work, { recursive: true, force: true }));

  const operator = benchOperator();
  ctx.log(
    `starting the server (${options.databaseUrl ? 'fresh database on BENCH_DATABASE_URL' : 'embedded PostgreSQL'})`,
  );
  const server: ServerUnderTest = await startServer({
    repoRoot: options.repoRoot,
    databaseUrl: options.databaseUrl,
    operator,
    logFile: path.join(options.artifactsDir, 'export-server.log'),
    logLevel: options.serverLogLevel,
  });
  ctx.defer(() => server.stop());
  const pgVersion = await postgresVersion(server.migratorUrl);
  ctx.log(`server pid ${server.pid} at ${server.url}, PostgreSQL ${pgVersion} (${server.database})`);

  const { api, orgId, owner } = await createBenchOrg(server.url, operator);
  // The export is read with a plain http.get and a token of its own (tokens are made from a session).
  const session = new ApiClient(server.url);
  await session.login(owner.email, owner.password);
  const { token } = await session.call<{ token: string }>('POST', '/api/v1/auth/tokens', {
    name: 'bench export',
  });
  const annotators: string[] = [];
  for (let i = 1; i <= ANNOTATORS; i++) {
    const user = await api.call<{ id: string }>('POST', '/api/v1/users', {
      email: `annotator${i}.${orgId.slice(0, 8)}@bench.enclave.local`,
      name: `Annotator ${i}`,
      role: 'annotator',
      password: `bench-annotator-${orgId}`,
    });
    annotators.push(user.id);
  }

  ctx.log(`seeding ${rows.toLocaleString('en-US')} annotations (${ANNOTATORS} a task) as the superuser`);
  const seedStarted = performance.now();
  const warm = await seed(api, server.migratorUrl, orgId, annotators, 'warm-up', options.warmupRows);
  const main = await seed(api, server.migratorUrl, orgId, annotators, 'export', rows);
  for (const p of [warm.project, main.project]) {
    for (const id of annotators)
      await api.call('PUT', `/api/v1/projects/${p.id}/members/${id}`, { role: 'annotator' });
  }
  await withClient(server.migratorUrl, async (c) => {
    await c.query('VACUUM (ANALYZE) tasks, annotations');
    await c.query('CHECKPOINT').catch(() => undefined);
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  ctx.log(`  ${main.tasks.toLocaleString('en-US')} tasks, ${seedSeconds.toFixed(0)} s`);

  const salts = await withClient(server.migratorUrl, async (c) => {
    const r = await c.query<{ id: string; salt: string }>(
      'SELECT id, pseudonym_salt::text AS salt FROM projects WHERE id = ANY($1::uuid[])',
      [[warm.project.id, main.project.id]],
    );
    return new Map(r.rows.map((x) => [x.id, x.salt]));
  });
  const exportQuery = await loadExportQuery(options.repoRoot);
  const psql = findPsql();
  const tool = psql ? 'psql' : 'pg-copy-streams';
  const reference = psql
    ? `psql \\copy (the API's SELECT, values inlined) TO file, as the superuser (${psqlVersion(psql)}, ${psql})`
    : "COPY (the API's SELECT) TO STDOUT streamed by pg-copy-streams into a file, as the superuser (no psql binary found)";

  // Warm-up: both sides once, small, untimed.
  ctx.log(`warm-up: ${options.warmupRows.toLocaleString('en-US')} annotations each way`);
  const warmApi = await exportThroughApi(server.url, token, warm.project.id);
  if (warmApi.status !== 200 || warmApi.lines !== warm.tasks) {
    throw new Error(
      `warm-up export answered ${warmApi.status} with ${warmApi.lines} lines, expected ${warm.tasks}`,
    );
  }
  await copyOut(
    server.migratorUrl,
    referenceSql(exportQuery, orgId, warm.project.id, salts.get(warm.project.id)!),
    path.join(work, 'warm.txt'),
    psql,
  );

  const idleRssMB = rssMB(server.pid) ?? 0;
  const mainSql = referenceSql(exportQuery, orgId, main.project.id, salts.get(main.project.id)!);
  const runs: Run[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order: Run['side'][] = round % 2 === 1 ? ['api', 'psql'] : ['psql', 'api'];
    for (const side of order) {
      const cpu = cpuWindow(server.pid, server.postmasterPid);
      if (side === 'api') {
        ctx.log(`round ${round}: API export`);
        const rss = new RssSampler(server.pid);
        rss.start();
        let r: Awaited<ReturnType<typeof exportThroughApi>>, report: RssReport;
        try {
          r = await exportThroughApi(server.url, token, main.project.id);
        } finally {
          report = rss.stop();
        }
        if (r.status !== 200) throw new Error(`the export answered ${r.status}`);
        if (r.lines !== main.tasks)
          throw new Error(`the export has ${r.lines} lines, expected ${main.tasks}`);
        runs.push({
          side,
          round,
          seconds: r.seconds,
          firstByteSeconds: r.firstByteSeconds,
          bytes: r.bytes,
          lines: r.lines,
          cpu: cpu(),
          rss: report,
          loadAverage: os.loadavg()[0]!,
        });
        ctx.log(
          `  ${r.seconds.toFixed(2)} s, first byte ${(r.firstByteSeconds * 1000).toFixed(0)} ms, peak RSS ${report.peakMB.toFixed(0)} MB`,
        );
      } else {
        ctx.log(`round ${round}: ${tool}`);
        const file = path.join(work, 'reference.txt');
        const r = await copyOut(server.migratorUrl, mainSql, file, psql);
        if (r.rows !== main.tasks) throw new Error(`${tool} copied ${r.rows} rows, expected ${main.tasks}`);
        runs.push({
          side,
          round,
          seconds: r.seconds,
          firstByteSeconds: null,
          bytes: r.bytes,
          lines: r.rows,
          cpu: cpu(),
          loadAverage: os.loadavg()[0]!,
        });
        ctx.log(`  ${r.seconds.toFixed(2)} s`);
        await fsp.rm(file);
      }
    }
  }

  const apiRuns = runs.filter((r) => r.side === 'api');
  const psqlRuns = runs.filter((r) => r.side === 'psql');
  const best = (rs: Run[]) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const apiBest = best(apiRuns);
  const psqlBest = best(psqlRuns);
  const ratio = apiBest.seconds / psqlBest.seconds;
  const firstByte = Math.max(...apiRuns.map((r) => r.firstByteSeconds ?? Infinity));
  const peakRssMB = Math.max(...apiRuns.map((r) => r.rss!.peakMB));

  return {
    reference,
    metrics: [
      { name: 'annotations', value: rows },
      { name: 'tasks (JSONL lines)', value: main.tasks },
      {
        name: 'JSONL bytes',
        value: fixed(apiBest.bytes / MB, 1)!,
        unit: `MB (${(apiBest.bytes / main.tasks).toFixed(0)} B a line)`,
      },
      { name: 'API export (best)', value: fixed(apiBest.seconds, 2)!, unit: 's' },
      { name: 'API annotations/s', value: Math.round(rows / apiBest.seconds) },
      { name: 'API MB/s', value: fixed(apiBest.bytes / MB / apiBest.seconds, 1)! },
      { name: `${tool} (best)`, value: fixed(psqlBest.seconds, 2)!, unit: 's' },
      { name: 'ratio API / reference', value: fixed(ratio, 2)! },
      {
        name: 'ratio of medians',
        value: fixed(median(apiRuns.map((r) => r.seconds)) / median(psqlRuns.map((r) => r.seconds)), 2)!,
      },
      { name: 'first byte (worst round)', value: fixed(firstByte * 1000, 0)!, unit: 'ms' },
      {
        name: 'server peak RSS',
        value: fixed(peakRssMB, 0)!,
        unit: `MB (idle before: ${idleRssMB.toFixed(0)} MB)`,
      },
      { name: 'seeding (not timed)', value: fixed(seedSeconds, 0)!, unit: 's' },
      { name: 'PostgreSQL', value: `${pgVersion} (${server.database})` },
    ],
    targets: [
      atMost('time ratio API / psql \\copy', ratio, 2.0, '×'),
      atMost('first byte', firstByte, 1.0, 's'),
      atMost('server peak RSS', peakRssMB, 300, 'MB'),
    ],
    runs: runs.map((r) => ({
      run: `${r.side} ${r.round}`,
      seconds: fixed(r.seconds),
      'first byte ms': r.firstByteSeconds === null ? null : fixed(r.firstByteSeconds * 1000, 0),
      MB: fixed(r.bytes / MB, 1),
      'annotations/s': Math.round(rows / r.seconds),
      'server CPU s': fixed(r.cpu.serverSeconds, 1),
      'PG CPU s': fixed(r.cpu.postgresSeconds, 1),
      'client CPU s': fixed(r.cpu.clientSeconds, 1),
      'peak RSS MB': r.rss ? fixed(r.rss.peakMB, 0) : null,
      'load 1m': fixed(r.loadAverage, 1),
    })),
    notes: [
      `best of ${options.rounds} round(s) per side, rounds alternating (API first in odd rounds); a ${options.warmupRows.toLocaleString('en-US')}-annotation warm-up of each side untimed`,
      'API time: from the request to the last byte of the body, read and discarded by the bench; reference time: from starting psql to its exit, the file written',
      "both sides run the same statement; the reference as the superuser (no row-level security), the API as the runtime role in the owner's tenant transaction (bearer token)",
      'peak RSS: the API process (VmHWM reset before each export, and VmRSS sampled every 50 ms), PostgreSQL not included',
    ],
    details: {
      rows,
      tasks: main.tasks,
      annotators: ANNOTATORS,
      referenceTool: tool,
      postgres: { version: pgVersion, kind: server.database },
      idleRssMB: fixed(idleRssMB, 1),
      runs: runs.map((r) => ({ ...r, rss: r.rss ? { ...r.rss } : undefined })),
    },
  };
}

export const exportBenchmark: Benchmark = {
  name: 'export',
  title: 'JSONL export of annotations through the API vs psql \\copy (select …) to of the same rows',
  run: runExport,
};
