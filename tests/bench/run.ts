/**
 * `npm run bench`: builds (root script), then runs every benchmark in sequence against the real built
 * server, prints a table per benchmark and a summary of targets, and writes
 * test-artifacts/bench/<name>.json. A missed target prints FAIL; the exit code is 1 for a miss only
 * with --strict (BENCH_STRICT=1), and always 1 when a benchmark could not run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importBenchmark } from './import.bench';
import { exportBenchmark } from './export.bench';
import { queueBenchmark } from './queue.bench';
import { rlsBenchmark } from './rls.bench';
import { webBenchmark } from './web-budget.bench';
import { describeMachine, describeRevision } from './harness/machine';
import { printOutcome, table, targetRow, writeJson } from './harness/report';
import type { BenchContext, Benchmark, BenchOptions, BenchOutcome } from './harness/types';

/** Every benchmark, in the order they run. A new one: a `<name>.bench.ts` file and a line here. */
const BENCHMARKS: Benchmark[] = [
  importBenchmark,
  exportBenchmark,
  queueBenchmark,
  rlsBenchmark,
  webBenchmark,
];

const USAGE = `npm run bench [-- options]

  --only <name>[,<name>]  run only these benchmarks (BENCH_ONLY); known: ${BENCHMARKS.map((b) => b.name).join(', ')}
  --rows <n>              rows of the main workload (BENCH_ROWS, default 1,000,000)
  --rounds <n>            timed rounds of each side (BENCH_ROUNDS, default 2)
  --warmup-rows <n>       untimed warm-up rows of each side (BENCH_WARMUP_ROWS, default 10,000)
  --strict                exit 1 when a target is missed (BENCH_STRICT=1)

  BENCH_DATABASE_URL (or DATABASE_URL): a PostgreSQL server (a role that may create databases and roles)
    on which each benchmark makes a fresh database and drops it afterwards; unset: the server under test
    starts its own embedded PostgreSQL in a temporary data directory.
  BENCH_LOG_LEVEL: LOG_LEVEL of the server under test (default warn); its log is kept beside the results.
  BENCH_PSQL: the psql binary of the reference (default: psql on the PATH; none: pg-copy-streams).
`;

function count(raw: string | undefined, fallback: number, what: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive whole number, got "${raw}"`);
  return n;
}

interface Cli {
  options: BenchOptions;
  only: string[];
  strict: boolean;
}

function parseCli(argv: string[]): Cli {
  const flags = new Map<string, string>();
  const only: string[] = [];
  let strict = ['1', 'true'].includes(process.env.BENCH_STRICT ?? '');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [key, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${key} needs a value`);
      return v;
    };
    if (key === '--help' || key === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (key === '--strict') strict = true;
    else if (key === '--only') only.push(...value().split(','));
    else if (['--rows', '--rounds', '--warmup-rows'].includes(key)) flags.set(key, value());
    else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  if (only.length === 0 && process.env.BENCH_ONLY) only.push(...process.env.BENCH_ONLY.split(','));
  const known = new Set(BENCHMARKS.map((b) => b.name));
  const unknown = only.filter((n) => !known.has(n.trim()));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${[...known].join(', ')}`);

  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  return {
    only: only.map((n) => n.trim()),
    strict,
    options: {
      repoRoot,
      artifactsDir: path.join(repoRoot, 'test-artifacts', 'bench'),
      rows: count(flags.get('--rows') ?? process.env.BENCH_ROWS, 1_000_000, 'BENCH_ROWS'),
      rounds: count(flags.get('--rounds') ?? process.env.BENCH_ROUNDS, 2, 'BENCH_ROUNDS'),
      warmupRows: count(
        flags.get('--warmup-rows') ?? process.env.BENCH_WARMUP_ROWS,
        10_000,
        'BENCH_WARMUP_ROWS',
      ),
      databaseUrl: process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined,
      serverLogLevel: process.env.BENCH_LOG_LEVEL || 'warn',
    },
  };
}

/**
 * Cleanups of the benchmark that is running, also run on Ctrl-C / SIGTERM / a crash before exiting.
 * Every call waits for the cleanups already under way, so nothing exits while a server is stopping.
 */
const pendingCleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> = Promise.resolve();
let interruptedWith: number | undefined;
function runCleanups(): Promise<void> {
  const batch = pendingCleanups.splice(0).reverse();
  cleaning = cleaning.then(async () => {
    for (const fn of batch) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  });
  return cleaning;
}
process.on('uncaughtException', (err) => {
  process.stderr.write(`\nunexpected error: ${err.stack ?? err.message}\ncleaning up…\n`);
  void runCleanups().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interruptedWith !== undefined) return;
    interruptedWith = signal === 'SIGINT' ? 130 : 143;
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    void runCleanups().finally(() => process.exit(interruptedWith));
  });
}

function redactUrl(url: string | undefined): string | null {
  if (!url) return null;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  const { options } = cli;
  if (!fs.existsSync(path.join(options.repoRoot, 'apps', 'api', 'dist', 'main.js'))) {
    throw new Error(
      'apps/api/dist/main.js is missing: run `npm run bench` from the repository root, which builds first',
    );
  }
  const selected = BENCHMARKS.filter((b) => cli.only.length === 0 || cli.only.includes(b.name));
  const machine = describeMachine();
  const revision = describeRevision(options.repoRoot);
  process.stdout.write(
    `Benchmarks: ${selected.map((b) => b.name).join(', ')} · rows ${options.rows.toLocaleString('en-US')} · rounds ${options.rounds}` +
      ` · ${options.databaseUrl ? `database on ${redactUrl(options.databaseUrl)}` : 'embedded PostgreSQL'}\n` +
      `Machine: ${machine.cpu} × ${machine.cpus}, ${machine.memoryGB} GB, ${machine.os}, Node ${machine.node}\n` +
      `Code: ${revision.commit ?? 'unknown commit'}${revision.changedFiles ? ` + ${revision.changedFiles} changed file(s)` : ''}\n`,
  );

  const summary: string[][] = [];
  let failedToRun = 0;
  let missed = 0;
  for (const bench of selected) {
    if (interruptedWith !== undefined) break;
    const started = new Date();
    const ctx: BenchContext = {
      options,
      defer: (fn) => pendingCleanups.push(fn),
      log: (m) =>
        process.stdout.write(
          `[${bench.name} ${((Date.now() - started.getTime()) / 1000).toFixed(1)}s] ${m}\n`,
        ),
    };
    const record: Record<string, unknown> = {
      benchmark: bench.name,
      title: bench.title,
      date: started.toISOString(),
      machine,
      revision,
      options: {
        rows: options.rows,
        rounds: options.rounds,
        warmupRows: options.warmupRows,
        database: redactUrl(options.databaseUrl) ?? 'embedded',
      },
    };
    try {
      const outcome: BenchOutcome = await bench.run(ctx);
      Object.assign(record, { status: 'ok', seconds: (Date.now() - started.getTime()) / 1000 }, outcome);
      process.stdout.write(printOutcome(bench.name, bench.title, outcome) + '\n');
      for (const t of outcome.targets) {
        summary.push(targetRow(bench.name, t));
        if (!t.pass) missed++;
      }
    } catch (err) {
      failedToRun++;
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      Object.assign(record, { status: 'error', error: message });
      process.stderr.write(`\n== ${bench.name}: could not run\n${message}\n`);
      summary.push([bench.name, '(did not run)', '', '', 'ERROR']);
    } finally {
      await runCleanups();
    }
    const file = path.join(options.artifactsDir, `${bench.name}.json`);
    await writeJson(file, record);
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
  }

  process.stdout.write(`\n== summary\n${table(summary, ['benchmark', 'target', 'measured', 'limit', ''])}\n`);
  if (failedToRun > 0) return 1;
  if (missed > 0) {
    process.stdout.write(
      cli.strict
        ? `${missed} target(s) missed (--strict: exit 1)\n`
        : `${missed} target(s) missed (exit 0; --strict to fail)\n`,
    );
    return cli.strict ? 1 : 0;
  }
  return 0;
}

main().then(
  (code) => process.exit(interruptedWith ?? code),
  async (err: unknown) => {
    await runCleanups();
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
