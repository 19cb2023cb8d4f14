import type pg from 'pg';
import { connect } from './db';

/**
 * What the database's client connections were doing, sampled from pg_stat_activity every `intervalMs`
 * on a connection of its own: running (on CPU or waiting on a lock, I/O…), idle inside a transaction
 * (PostgreSQL waits for its client: a transaction's locks are held meanwhile), or idle in the pool.
 * A sample is one connection at one instant; the shares over a run show where the time went.
 */
export interface WaitShare {
  /** `active`, `active: Lock/advisory`, `idle in transaction`, `idle`… */
  state: string;
  /** The statement, whitespace folded, cut at 90 characters (empty for idle). */
  statement: string;
  /** Connections seen in this state, on average over the samples. */
  connections: number;
  /** Share of all connection-samples. */
  share: number;
}

interface ActivityRow {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  query: string;
}

export class WaitSampler {
  private client: pg.Client | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private samples = 0;
  private readonly counts = new Map<string, { state: string; statement: string; n: number }>();

  /** `applications`: the application_name of the connections that count (the API's pool, the reference's). */
  constructor(
    private readonly url: string,
    private readonly applications: string[],
    private readonly intervalMs = 50,
  ) {}

  async start(): Promise<void> {
    this.client = await connect(this.url);
    this.running = true;
    this.loop = this.poll();
  }

  async stop(): Promise<{ samples: number; shares: WaitShare[] }> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
    const total = [...this.counts.values()].reduce((a, c) => a + c.n, 0) || 1;
    const shares = [...this.counts.values()]
      .map((c) => ({
        state: c.state,
        statement: c.statement,
        connections: this.samples ? c.n / this.samples : 0,
        share: c.n / total,
      }))
      .sort((a, b) => b.share - a.share);
    return { samples: this.samples, shares };
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const { rows } = await this.client!.query<ActivityRow>(
        `SELECT state, wait_event_type, wait_event,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
           FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND datname = current_database() AND application_name = ANY($1)`,
        [this.applications],
      );
      this.samples++;
      for (const r of rows) {
        const waiting =
          r.wait_event_type && r.wait_event_type !== 'Client' ? `: ${r.wait_event_type}/${r.wait_event}` : '';
        const state = `${r.state ?? 'unknown'}${r.state === 'active' ? waiting : ''}`;
        // An idle connection's query is the last one it ran: only the state matters then, except for
        // "idle in transaction", where the last statement says which locks are held meanwhile.
        const statement = r.state === 'idle' ? '' : r.query.trim();
        const key = `${state}|${statement}`;
        const c = this.counts.get(key);
        if (c) c.n++;
        else this.counts.set(key, { state, statement, n: 1 });
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
