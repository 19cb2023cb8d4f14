/** What every benchmark gets and gives back; the runner (run.ts) does the rest. */

export interface BenchOptions {
  /** Repository root: where apps/api/dist lives. */
  repoRoot: string;
  /** Where `<name>.json` and the server logs go (test-artifacts/bench). */
  artifactsDir: string;
  /** BENCH_ROWS / --rows: the size of the main workload. */
  rows: number;
  /** BENCH_ROUNDS / --rounds: timed repetitions of each side. */
  rounds: number;
  /** BENCH_WARMUP_ROWS / --warmup-rows: an untimed small run of each side first. */
  warmupRows: number;
  /** BENCH_DATABASE_URL or DATABASE_URL: a PostgreSQL server to make a fresh database on; unset: embedded. */
  databaseUrl: string | undefined;
  /** BENCH_LOG_LEVEL: LOG_LEVEL of the server under test (its log lands in artifactsDir). */
  serverLogLevel: string;
}

export interface Metric {
  name: string;
  value: number | string;
  unit?: string;
}

export interface TargetCheck {
  name: string;
  actual: number;
  comparison: '<=' | '>=';
  limit: number;
  unit: string;
  pass: boolean;
}

export function atMost(name: string, actual: number, limit: number, unit = ''): TargetCheck {
  return { name, actual, comparison: '<=', limit, unit, pass: Number.isFinite(actual) && actual <= limit };
}

export function atLeast(name: string, actual: number, limit: number, unit = ''): TargetCheck {
  return { name, actual, comparison: '>=', limit, unit, pass: Number.isFinite(actual) && actual >= limit };
}

/** A benchmark's answer: headline figures, the targets it checks, and anything else worth keeping. */
export interface BenchOutcome {
  /** What the API's figure is compared against, in words (e.g. "psql \copy, system binary"). */
  reference: string;
  metrics: Metric[];
  targets: TargetCheck[];
  /** Per-run tables: printed, and kept in the JSON. */
  runs: Record<string, string | number | null>[];
  /** More tables to print (and keep), each with a title. */
  tables?: { title: string; rows: Record<string, string | number | null>[] }[];
  notes: string[];
  /** Free-form, machine-readable extras (the RSS timeline, the environment of the server under test). */
  details: Record<string, unknown>;
}

export interface BenchContext {
  options: BenchOptions;
  /** Run `fn` when the benchmark ends, however it ends (also on Ctrl-C); last registered runs first. */
  defer(fn: () => Promise<void> | void): void;
  log(message: string): void;
}

export interface Benchmark {
  /** Short name: `--only <name>`, `test-artifacts/bench/<name>.json`. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchOutcome>;
}
