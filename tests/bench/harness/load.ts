import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Load generation for the labelling benchmarks: many logical workers looping for a fixed time, the
 * latency of every request they make, and a keep-alive HTTP client light enough that the bench's own
 * CPU stays small beside the server's on a two-core machine.
 */

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Every sample kept (a 30 s run makes tens of thousands), percentiles read from the sorted samples. */
export class Latencies {
  private readonly samples = new Map<string, number[]>();

  add(kind: string, ms: number): void {
    let list = this.samples.get(kind);
    if (!list) this.samples.set(kind, (list = []));
    list.push(ms);
  }

  kinds(): string[] {
    return [...this.samples.keys()];
  }

  summary(kind: string): LatencySummary {
    const sorted = Float64Array.from(this.samples.get(kind) ?? []).sort();
    const n = sorted.length;
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    const at = (q: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: n,
      meanMs: n === 0 ? NaN : sum / n,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
      maxMs: n === 0 ? NaN : sorted[n - 1]!,
    };
  }
}

/** Counts by label (status codes, error codes). */
export class Tally {
  readonly counts = new Map<string, number>();
  add(label: string, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
  total(): number {
    let t = 0;
    for (const v of this.counts.values()) t += v;
    return t;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * `workers` loops, each calling `step(worker, deadline)` until the time is up or its step answers false
 * (it has nothing left to do). A loop never starts a step after the deadline (a `performance.now()`
 * time); the steps under way finish, and the elapsed time runs to the end of the last one, so
 * throughput is completed work over that time.
 */
export async function closedLoop(
  workers: number,
  seconds: number,
  step: (worker: number, deadline: number) => Promise<boolean>,
): Promise<{ seconds: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        if (!(await step(w, deadline))) break;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * An exponentially distributed pause with this mean (the think time of a paced annotator), cut short
 * at `deadline` (a `performance.now()` time). Resolves true when it ran its course, false when cut.
 */
export function thinkTime(meanMs: number, deadline: number): Promise<boolean> {
  const ms = -Math.log(1 - Math.random()) * meanMs;
  const left = deadline - performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(ms < left), Math.max(0, Math.min(ms, left))));
}

export interface HttpAnswer {
  status: number;
  body: string;
  ms: number;
}

/**
 * JSON requests over keep-alive connections, one socket per concurrent caller at most: no connection
 * set-up inside the measured loop, and no fetch/undici overhead in the bench's own process.
 */
export class KeepAliveClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    sockets: number,
    private readonly userAgent = 'enclave-bench',
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: string, path: string, token: string, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'user-agent': this.userAgent,
    };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: this.host, port: this.port, path, method, agent: this.agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
