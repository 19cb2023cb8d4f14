import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { AnnotationView, QueueNextResponse } from '@enclave/contracts';
import {
  BENCH_RESULT,
  checkQueueIntegrity,
  explainLease,
  LeaseLedger,
  type Acknowledged,
  type IntegrityReport,
  type LeasePlan,
} from './labelling';
import { closedLoop, Latencies, Tally, thinkTime, type KeepAliveClient, type LatencySummary } from './load';
import { WaitSampler, type WaitShare } from './pg-waits';
import { cpuWindow, RssSampler, type CpuWindow, type RssReport } from './proc';
import type { Annotator, QueueReference } from './queue-reference';
import type { ServerUnderTest } from './server';

/**
 * One annotator's cycle, next → submit, over HTTP or straight from pg, and what a run of such cycles
 * records: latencies per request, answers, errors, every submission acknowledged and every lease
 * received (for the integrity checks).
 */
export interface LoopRecord {
  cycles: number;
  latencies: Latencies;
  /** `next 200`, `submit 409`… (HTTP only). */
  statuses: Tally;
  /** Exceptions: network errors (HTTP), SQL errors (reference), by message. */
  errors: Tally;
  /** Annotators who found the queue empty (204, or no lease): the project was too small. */
  ranOut: number;
  acknowledged: Acknowledged[];
  ledger: LeaseLedger;
}

export function newLoopRecord(): LoopRecord {
  return {
    cycles: 0,
    latencies: new Latencies(),
    statuses: new Tally(),
    errors: new Tally(),
    ranOut: 0,
    acknowledged: [],
    ledger: new LeaseLedger(),
  };
}

/** Answers other than 2xx, and exceptions. */
export function failures(r: LoopRecord): number {
  let n = r.errors.total();
  for (const [k, v] of r.statuses.counts) if (!/ 20\d$/.test(k)) n += v;
  return n;
}

export function serverErrors(r: LoopRecord): number {
  let n = 0;
  for (const [k, v] of r.statuses.counts) if (/ 5\d\d$/.test(k)) n += v;
  return n;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 80);

/**
 * Over HTTP: `POST /projects/:id/queue/next`, then `PUT /tasks/:id/annotation` of the task it got, with
 * the annotator's bearer token. With `thinkMs`, an exponential pause of that mean between the two (the
 * annotator at work) and a uniform one before the first request (so that the callers do not all start
 * at once); an annotator still thinking at the deadline stops there and leaves the task leased.
 * Answers false when the queue had nothing left for the annotator, or the time is up.
 */
export function apiCycle(
  http: KeepAliveClient,
  annotators: Annotator[],
  projectId: string,
  out: LoopRecord,
  thinkMs?: number,
): (worker: number, deadline: number) => Promise<boolean> {
  const started = new Set<number>();
  return async (w, deadline) => {
    const a = annotators[w]!;
    if (thinkMs !== undefined && !started.has(w)) {
      started.add(w);
      await pause(Math.random() * thinkMs);
      if (performance.now() >= deadline) return false;
    }
    try {
      const next = await http.request('POST', `/api/v1/projects/${projectId}/queue/next`, a.token, {});
      out.latencies.add('next', next.ms);
      out.statuses.add(`next ${next.status}`);
      if (next.status === 204) {
        out.ranOut++;
        return false;
      }
      if (next.status !== 200) {
        await pause(10);
        return true;
      }
      const { task } = JSON.parse(next.body) as QueueNextResponse;
      out.ledger.record(task.id, a.id);
      if (thinkMs !== undefined && !(await thinkTime(thinkMs, deadline))) return false;
      const submit = await http.request('PUT', `/api/v1/tasks/${task.id}/annotation`, a.token, {
        result: BENCH_RESULT,
        status: 'submitted',
        leadTimeMs: 1000,
      });
      out.latencies.add('submit', submit.ms);
      out.statuses.add(`submit ${submit.status}`);
      if (submit.status === 200) {
        const view = JSON.parse(submit.body) as AnnotationView;
        out.acknowledged.push({
          annotationId: view.id,
          revision: view.revision,
          taskId: task.id,
          userId: a.id,
        });
        out.latencies.add('cycle', next.ms + submit.ms);
        out.cycles++;
      } else {
        await pause(10);
      }
    } catch (err) {
      out.errors.add(message(err));
      await pause(10);
    }
    return true;
  };
}

/** The same cycle straight from pg (harness/queue-reference.ts). */
export function referenceCycle(
  ref: QueueReference,
  annotators: Annotator[],
  projectId: string,
  out: LoopRecord,
): (worker: number) => Promise<boolean> {
  return async (w) => {
    const a = annotators[w]!;
    let phase = 'next';
    try {
      const t0 = performance.now();
      const lease = await ref.next(a, projectId);
      const t1 = performance.now();
      out.latencies.add('next', t1 - t0);
      if (!lease) {
        out.ranOut++;
        return false;
      }
      out.ledger.record(lease.taskId, a.id);
      phase = 'submit';
      const row = await ref.submit(a, lease.taskId, BENCH_RESULT, 1000);
      const t2 = performance.now();
      out.latencies.add('submit', t2 - t1);
      out.latencies.add('cycle', t2 - t0);
      out.acknowledged.push({
        annotationId: row.id,
        revision: row.revision,
        taskId: lease.taskId,
        userId: a.id,
      });
      out.cycles++;
    } catch (err) {
      out.errors.add(`${phase}: ${message(err)}`);
      await pause(10);
    }
    return true;
  };
}

export interface MeasuredLoop {
  seconds: number;
  cpu: CpuWindow;
  /** The server's memory, when it was the side measured. */
  rss?: RssReport;
  /** What the measured connections did (pg_stat_activity every 100 ms). */
  waits: WaitShare[];
  /** The lease under load, probed halfway through. */
  lease: LeasePlan | null;
  /** The machine's 1-minute load average at the end: other work on the machine skews a run. */
  loadAverage: number;
}

/**
 * `workers` loops of `step` for `seconds`, with the figures of the window: CPU of the server,
 * PostgreSQL and the bench; the server's RSS (`rss`); the connections of `applications` sampled in
 * pg_stat_activity; and `probe` run once halfway through.
 */
export async function measureLoop(opts: {
  server: ServerUnderTest;
  workers: number;
  seconds: number;
  step: (worker: number, deadline: number) => Promise<boolean>;
  applications: string[];
  rss: boolean;
  probe?: () => Promise<LeasePlan>;
}): Promise<MeasuredLoop> {
  const { server } = opts;
  const waits = new WaitSampler(server.migratorUrl, opts.applications, 100);
  await waits.start();
  const rss = opts.rss ? new RssSampler(server.pid) : undefined;
  const cpu = cpuWindow(server.pid, server.postmasterPid);
  rss?.start();
  let lease: LeasePlan | null = null;
  const probe = opts.probe
    ? pause((opts.seconds * 1000) / 2).then(async () => {
        lease = await opts.probe!().catch(() => null);
      })
    : Promise.resolve();
  let seconds: number;
  try {
    seconds = (await closedLoop(opts.workers, opts.seconds, opts.step)).seconds;
  } finally {
    await probe;
  }
  const cpuUsed = cpu();
  const rssReport = rss?.stop();
  const waited = await waits.stop();
  return {
    seconds,
    cpu: cpuUsed,
    rss: rssReport,
    waits: waited.shares,
    lease,
    loadAverage: os.loadavg()[0]!,
  };
}

/** What every timed run of the labelling loop reports, beside what each benchmark adds. */
export interface QueueRun extends MeasuredLoop {
  projectId: string;
  tasks: number;
  cycles: number;
  cyclesPerSecond: number;
  next: LatencySummary;
  submit: LatencySummary;
  errors: Record<string, number>;
  failures: number;
  ranOut: number;
  integrity: IntegrityReport;
  clientOverOverlap: number;
}

/**
 * One timed run of `step` over a fresh project: the loop measured (with the lease probed halfway, as
 * `probeRole` for the first annotator), then the queue's guarantees checked over the project as the
 * migrator, and the figures both labelling benchmarks report.
 */
export async function timedQueueRun(opts: {
  server: ServerUnderTest;
  orgId: string;
  probeRole: string;
  probeUserId: string;
  projectId: string;
  tasks: number;
  overlap: number;
  workers: number;
  seconds: number;
  out: LoopRecord;
  step: (worker: number, deadline: number) => Promise<boolean>;
  applications: string[];
  rss: boolean;
}): Promise<QueueRun> {
  const { server, out, projectId, overlap } = opts;
  const m = await measureLoop({
    server,
    workers: opts.workers,
    seconds: opts.seconds,
    step: opts.step,
    applications: opts.applications,
    rss: opts.rss,
    probe: () =>
      explainLease(
        server.migratorUrl,
        opts.probeRole,
        { orgId: opts.orgId, userId: opts.probeUserId },
        projectId,
        overlap,
      ),
  });
  const integrity = await checkQueueIntegrity(
    server.migratorUrl,
    opts.orgId,
    projectId,
    overlap,
    out.acknowledged,
  );
  return {
    ...m,
    projectId,
    tasks: opts.tasks,
    cycles: out.cycles,
    cyclesPerSecond: out.cycles / m.seconds,
    next: out.latencies.summary('next'),
    submit: out.latencies.summary('submit'),
    errors: out.errors.toJSON(),
    failures: failures(out),
    ranOut: out.ranOut,
    integrity,
    clientOverOverlap: out.ledger.overOverlap(overlap),
  };
}
