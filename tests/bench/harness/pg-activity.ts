import type pg from 'pg';
import { connect } from './db';

/**
 * Which statements the server under test kept PostgreSQL busy with, read from pg_stat_activity every
 * `intervalMs` on a connection of its own: a timeline of the phases of a request (COPY, checks,
 * INSERT … SELECT) without instrumenting the API. Statements shorter than the interval may be missed.
 */
export interface StatementSpan {
  /** The statement, whitespace folded, cut at 120 characters. */
  statement: string;
  /** Seconds from the request's first byte (the sampler's start) to the statement's start. */
  startedAt: number;
  /** From the statement's start to the last time it was seen active. */
  seconds: number;
}

interface ActiveRow {
  pid: number;
  query_start: Date;
  now: Date;
  query: string;
}

export class StatementTimeline {
  private client: pg.Client | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private origin = 0;
  private readonly seen = new Map<string, { statement: string; start: number; end: number }>();

  constructor(
    private readonly url: string,
    private readonly intervalMs = 100,
  ) {}

  async start(): Promise<void> {
    this.client = await connect(this.url);
    const { rows } = await this.client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    this.origin = rows[0]!.now.getTime();
    this.running = true;
    this.loop = this.poll();
  }

  async stop(): Promise<StatementSpan[]> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
    return [...this.seen.values()]
      .map((s) => ({
        statement: s.statement,
        startedAt: (s.start - this.origin) / 1000,
        seconds: (s.end - s.start) / 1000,
      }))
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const { rows } = await this.client!.query<ActiveRow>(
        `SELECT pid, query_start, clock_timestamp() AS now, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query
           FROM pg_stat_activity
          WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND datname = current_database()`,
      );
      for (const r of rows) {
        const key = `${r.pid}|${r.query_start.getTime()}`;
        const span = this.seen.get(key);
        if (span) span.end = r.now.getTime();
        else
          this.seen.set(key, {
            statement: r.query.trim(),
            start: r.query_start.getTime(),
            end: r.now.getTime(),
          });
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
