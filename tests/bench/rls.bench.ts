import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withClient } from './harness/db';
import {
  defaultPoolSize,
  envCount,
  integrityProblems,
  settleLabellingTables,
  startLabellingBench,
} from './harness/labelling';
import {
  measureLoop,
  newLoopRecord,
  referenceCycle,
  timedQueueRun,
  type QueueRun,
} from './harness/queue-loop';
import { loadApiSql, QueueReference } from './harness/queue-reference';
import { fixed } from './harness/report';
import { atLeast, atMost, type BenchContext, type Benchmark, type BenchOutcome } from './harness/types';

/**
 * SPEC §7: dispatch throughput with row-level security is at least 85% of the same run under a role
 * with BYPASSRLS.
 *
 * Dispatch is the queue's SQL as the API runs it (harness/queue-reference.ts): 200 annotators looping
 * next → submit straight from pg, over a pool of the server's size. One side connects as the API's
 * runtime role (`enclave_app`: every tenant and membership policy applies); the other as a temporary
 * login role made for the run with the same grants (member of `enclave_runtime`, the same role
 * settings) and BYPASSRLS, dropped afterwards. The SQL, the tenant scope and the data are the same;
 * only the policies differ.
 *
 * Two variants, each its own target:
 * - with the audit append, as the API runs it. Every request of an organization takes turns on the
 *   audit chain's lock, which can bound both sides alike and hide what the policies cost;
 * - without it: the queue's own statements (the lease, the reads, the submission's writes), where
 *   the policies' cost shows in full.
 * Every run gets a fresh project of the same shape (overlap 2, the same tasks); the rounds alternate
 * which role runs first.
 */
const OVERLAP = 2;
const SEED = 20240611;
const STATEMENT_TIMEOUT_MS = 15_000;

type Role = 'rls' | 'bypass';

interface Variant {
  role: Role;
  audit: boolean;
}

interface Run extends QueueRun {
  role: Role;
  audit: boolean;
  round: number;
}

const label = (v: Variant) => `${v.role === 'rls' ? 'RLS' : 'BYPASSRLS'}${v.audit ? '' : ', no audit'}`;
const APPLICATION: Record<Role, string> = { rls: 'enclave-bench-rls', bypass: 'enclave-bench-bypassrls' };

/**
 * A login role like the runtime role in everything but BYPASSRLS: a member of its group role, with
 * its role settings (statement_timeout, idle_in_transaction_session_timeout). Dropped by `drop`.
 */
async function createBypassRole(
  migratorUrl: string,
  runtimeRole: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `bench_bypassrls_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(24).toString('hex');
  const database = await withClient(migratorUrl, async (c) => {
    const db = (await c.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const id = c.escapeIdentifier(name);
    await c.query(
      `CREATE ROLE ${id} LOGIN BYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD ${c.escapeLiteral(password)}`,
    );
    // The same group roles and settings as the runtime role.
    const { rows: groups } = await c.query<{ rolname: string }>(
      `SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
        WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [runtimeRole],
    );
    for (const g of groups) await c.query(`GRANT ${c.escapeIdentifier(g.rolname)} TO ${id}`);
    const { rows: settings } = await c.query<{ setting: string }>(
      `SELECT unnest(setconfig) AS setting FROM pg_db_role_setting
        WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = $1) AND setdatabase = 0`,
      [runtimeRole],
    );
    for (const { setting } of settings) {
      const eq = setting.indexOf('=');
      await c.query(
        `ALTER ROLE ${id} SET ${c.escapeIdentifier(setting.slice(0, eq))} = ${c.escapeLiteral(setting.slice(eq + 1))}`,
      );
    }
    await c.query(`GRANT CONNECT ON DATABASE ${c.escapeIdentifier(db)} TO ${id}`);
    return db;
  });
  const url = new URL(migratorUrl);
  url.username = name;
  url.password = password;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(migratorUrl, async (c) => {
        const id = c.escapeIdentifier(name);
        await c.query(`REVOKE CONNECT ON DATABASE ${c.escapeIdentifier(database)} FROM ${id}`);
        await c.query(`DROP ROLE IF EXISTS ${id}`);
      }),
  };
}

async function runRls(ctx: BenchContext): Promise<BenchOutcome> {
  const { options } = ctx;
  const seconds = envCount('BENCH_RLS_SECONDS', envCount('BENCH_QUEUE_SECONDS', 30));
  const warmupSeconds = envCount('BENCH_QUEUE_WARMUP_SECONDS', 5);
  const annotators = Math.round(envCount('BENCH_QUEUE_ANNOTATORS', 200));
  const poolSize = Math.round(envCount('BENCH_DB_POOL_SIZE', defaultPoolSize()));

  const bench = await startLabellingBench(ctx, 'rls', { annotators, poolSize, seed: SEED });
  const { server, org } = bench;
  const bypass = await createBypassRole(server.migratorUrl, bench.appRole);
  ctx.defer(() => bypass.drop());
  const roleName: Record<Role, string> = { rls: bench.appRole, bypass: bypass.name };
  const check = await withClient(bypass.url, async (c) => {
    const { rows } = await c.query<{ rolbypassrls: boolean; member: boolean }>(
      "SELECT rolbypassrls, pg_has_role(current_user, 'enclave_runtime', 'MEMBER') AS member FROM pg_roles WHERE rolname = current_user",
    );
    return rows[0]!;
  });
  if (!check.rolbypassrls || !check.member)
    throw new Error(`${bypass.name} is not a BYPASSRLS member of enclave_runtime`);
  ctx.log(`roles: ${bench.appRole} (row-level security) and ${bypass.name} (BYPASSRLS, the same grants)`);

  const pools: Record<Role, pg.Pool> = {
    rls: QueueReference.pool(bench.appUrl, poolSize, STATEMENT_TIMEOUT_MS, APPLICATION.rls),
    bypass: QueueReference.pool(bypass.url, poolSize, STATEMENT_TIMEOUT_MS, APPLICATION.bypass),
  };
  ctx.defer(() => Promise.all([pools.rls.end(), pools.bypass.end()]).then(() => undefined));
  const sql = await loadApiSql(options.repoRoot);
  const refFor = (v: Variant) =>
    new QueueReference(pools[v.role], { sql, audit: v.audit, ip: '127.0.0.1', userAgent: 'enclave-bench' });

  const variants: Variant[] = [
    { role: 'rls', audit: true },
    { role: 'bypass', audit: true },
    { role: 'rls', audit: false },
    { role: 'bypass', audit: false },
  ];

  // Warm-up, untimed; its rates size the projects (the same size for both roles of a variant).
  const warmTasks = Math.max(5_000, annotators * 50);
  ctx.log(`warm-up: ${warmupSeconds} s of each variant on ${warmTasks.toLocaleString('en-US')} tasks`);
  const warmRate = new Map<string, number>();
  for (const v of variants) {
    const projectId = await bench.project(`warm-up (${label(v)})`, OVERLAP, warmTasks);
    await settleLabellingTables(server.migratorUrl);
    const out = newLoopRecord();
    const m = await measureLoop({
      server,
      workers: annotators,
      seconds: warmupSeconds,
      step: referenceCycle(refFor(v), bench.annotators, projectId, out),
      applications: [],
      rss: false,
    });
    warmRate.set(label(v), out.cycles / m.seconds);
    ctx.log(`  ${label(v)}: ${(out.cycles / m.seconds).toFixed(0)} cycles/s`);
  }
  const tasksFor = (audit: boolean) => {
    const rate = Math.max(
      warmRate.get(label({ role: 'rls', audit }))!,
      warmRate.get(label({ role: 'bypass', audit }))!,
    );
    return Math.ceil(((rate * seconds * 2) / OVERLAP + annotators * 4) / 1000) * 1000;
  };

  const runs: Run[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const audit of [true, false]) {
      const roles: Role[] = round % 2 === 1 ? ['rls', 'bypass'] : ['bypass', 'rls'];
      for (const role of roles) {
        const v: Variant = { role, audit };
        const tasks = tasksFor(audit);
        const projectId = await bench.project(`${label(v)} round ${round}`, OVERLAP, tasks);
        await settleLabellingTables(server.migratorUrl);
        ctx.log(`round ${round}: ${label(v)}, ${seconds} s on ${tasks.toLocaleString('en-US')} tasks`);
        const out = newLoopRecord();
        const run: Run = {
          ...(await timedQueueRun({
            server,
            orgId: org.orgId,
            probeRole: roleName[role],
            probeUserId: bench.annotators[0]!.id,
            projectId,
            tasks,
            overlap: OVERLAP,
            workers: annotators,
            seconds,
            out,
            step: referenceCycle(refFor(v), bench.annotators, projectId, out),
            applications: [APPLICATION[role]],
            rss: false,
          })),
          role,
          audit,
          round,
        };
        runs.push(run);
        ctx.log(
          `  ${run.cyclesPerSecond.toFixed(1)} cycles/s; next p50 ${run.next.p50Ms.toFixed(1)} ms, submit p50 ${run.submit.p50Ms.toFixed(1)} ms;` +
            ` lease ${run.lease ? run.lease.functionMs.toFixed(2) : '?'} ms; ${run.failures} failures;` +
            ` integrity problems ${integrityProblems(run.integrity) + run.clientOverOverlap}`,
        );
      }
    }
  }

  const best = (v: Variant) =>
    runs
      .filter((r) => r.role === v.role && r.audit === v.audit)
      .reduce((a, b) => (b.cyclesPerSecond > a.cyclesPerSecond ? b : a));
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const medianRate = (v: Variant) =>
    median(runs.filter((r) => r.role === v.role && r.audit === v.audit).map((r) => r.cyclesPerSecond));
  const ratio = (audit: boolean) =>
    best({ role: 'rls', audit }).cyclesPerSecond / best({ role: 'bypass', audit }).cyclesPerSecond;
  const ratioOfMedians = (audit: boolean) =>
    medianRate({ role: 'rls', audit }) / medianRate({ role: 'bypass', audit });
  const sum = (f: (r: Run) => number) => runs.reduce((n, r) => n + f(r), 0);
  const doubleLeases = sum(
    (r) =>
      r.integrity.overOverlap +
      r.integrity.duplicatePairs +
      r.integrity.liveOverOverlap +
      r.integrity.leasedBeyondOverlap +
      r.integrity.leaseAfterSubmit +
      r.clientOverOverlap,
  );
  const lost = sum((r) => r.integrity.lost + r.integrity.countMismatches);
  const ms = (x: number) => fixed(x, 1);
  const waitRows = (r: Run) =>
    r.waits.slice(0, 8).map((w) => ({
      state: w.state,
      connections: fixed(w.connections, 2),
      share: `${(w.share * 100).toFixed(0)}%`,
      statement: w.statement,
    }));
  const bestRows = variants.map((v) => {
    const r = best(v);
    return {
      variant: label(v),
      round: r.round,
      'cycles/s': fixed(r.cyclesPerSecond, 1),
      'next p50 / p99 ms': `${ms(r.next.p50Ms)} / ${ms(r.next.p99Ms)}`,
      'submit p50 / p99 ms': `${ms(r.submit.p50Ms)} / ${ms(r.submit.p99Ms)}`,
      'lease ms (fn / candidate)': r.lease
        ? `${fixed(r.lease.functionMs, 2)} / ${fixed(r.lease.candidateMs, 2)}`
        : null,
      'PG CPU ms / cycle':
        r.cpu.postgresSeconds === null
          ? null
          : fixed((r.cpu.postgresSeconds * 1000) / Math.max(1, r.cycles), 2),
    };
  });

  return {
    reference: `the same dispatch SQL as ${bypass.name}: BYPASSRLS, otherwise the runtime role's grants and settings (dropped afterwards)`,
    metrics: [
      {
        name: 'annotators',
        value: annotators,
        unit: `concurrent loops next → submit straight from pg, ${seconds} s a run`,
      },
      { name: 'pool', value: poolSize, unit: "connections a side (the server's ENCLAVE_DB_POOL_SIZE)" },
      {
        name: 'with the audit append: RLS cycles/s (best)',
        value: fixed(best({ role: 'rls', audit: true }).cyclesPerSecond, 1)!,
      },
      {
        name: 'with the audit append: BYPASSRLS cycles/s (best)',
        value: fixed(best({ role: 'bypass', audit: true }).cyclesPerSecond, 1)!,
      },
      {
        name: 'with the audit append: ratio (best; of medians)',
        value: `${fixed(ratio(true), 3)}; ${fixed(ratioOfMedians(true), 3)}`,
      },
      {
        name: 'queue SQL only: RLS cycles/s (best)',
        value: fixed(best({ role: 'rls', audit: false }).cyclesPerSecond, 1)!,
      },
      {
        name: 'queue SQL only: BYPASSRLS cycles/s (best)',
        value: fixed(best({ role: 'bypass', audit: false }).cyclesPerSecond, 1)!,
      },
      {
        name: 'queue SQL only: ratio (best; of medians)',
        value: `${fixed(ratio(false), 3)}; ${fixed(ratioOfMedians(false), 3)}`,
      },
      { name: 'failures (all runs)', value: sum((r) => r.failures) },
      { name: 'annotators who ran out of tasks', value: sum((r) => r.ranOut) },
      { name: 'PostgreSQL', value: `${bench.pgVersion} (${server.database})` },
    ],
    targets: [
      atLeast('dispatch RLS / BYPASSRLS, with the audit append', ratio(true), 0.85, '×'),
      atLeast('dispatch RLS / BYPASSRLS, queue SQL only', ratio(false), 0.85, '×'),
      atMost('double leases', doubleLeases, 0),
      atMost('lost submissions', lost, 0),
    ],
    runs: runs.map((r) => ({
      run: `${label(r)} ${r.round}`,
      seconds: fixed(r.seconds, 1),
      'cycles/s': fixed(r.cyclesPerSecond, 1),
      'next p50 ms': ms(r.next.p50Ms),
      'next p99 ms': ms(r.next.p99Ms),
      'submit p50 ms': ms(r.submit.p50Ms),
      'submit p99 ms': ms(r.submit.p99Ms),
      failures: r.failures,
      'PG CPU s': fixed(r.cpu.postgresSeconds, 1),
      'client CPU s': fixed(r.cpu.clientSeconds, 1),
      'lease ms': r.lease ? fixed(r.lease.functionMs, 2) : null,
      'load 1m': fixed(r.loadAverage, 1),
    })),
    tables: [
      { title: 'best run of each variant', rows: bestRows },
      ...variants.map((v) => ({
        title: `what the connections did, ${label(v)} (best run), pg_stat_activity every 100 ms`,
        rows: waitRows(best(v)),
      })),
    ],
    notes: [
      `best of ${options.rounds} round(s) per variant, the roles alternating (RLS first in odd rounds); a ${warmupSeconds} s warm-up of each variant untimed; a fresh project for every run`,
      'a cycle is the SQL of one next and one submission, each request as the API runs it: the token lookup on a pool connection, then one transaction with the tenant scope',
      "lease ms: EXPLAIN ANALYZE of queue_lease_next as the run's role, halfway through the run; fn / candidate: the whole function, and its candidate query alone (plans in the JSON)",
      'the integrity checks of the queue benchmark run after every run (double leases, lost submissions)',
    ],
    details: {
      settings: { seconds, warmupSeconds, annotators, poolSize },
      roles: roleName,
      overlap: OVERLAP,
      warmupCyclesPerSecond: Object.fromEntries(warmRate),
      runs,
    },
  };
}

export const rlsBenchmark: Benchmark = {
  name: 'rls',
  title: 'queue dispatch with row-level security vs the same run under a BYPASSRLS role',
  run: runRls,
};
