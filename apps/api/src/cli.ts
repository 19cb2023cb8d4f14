import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import pg from 'pg';
import pino from 'pino';
import { verifyChain } from './core/audit/audit.service';
import { ConfigError, loadConfig, type AppConfig } from './core/config/config';
import { assertRuntimeRoleIsSafe, provisionRuntimeRole } from './core/db/bootstrap';
import { createAppDataSource } from './app';
import { prepareDatabase, type Database } from './main';
import { formatDetail, formatFromPath, importFile, isImportFormat } from './tasks/import-client';
import { exportToFile, isExportFormat, isExportStatus } from './exports/export-client';

/**
 * When `npm start` is already serving from the embedded server, the CLI connects to that server (its
 * port is in postmaster.pid) instead of starting a second one on the same data directory.
 */
async function runningEmbeddedUrl(config: AppConfig): Promise<string | null> {
  const dir = path.join(config.dataDir, 'pg');
  try {
    const pid = (await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n');
    const processId = Number(pid[0]);
    const port = Number(pid[3]);
    process.kill(processId, 0);
    const password = (await fs.readFile(path.join(config.dataDir, 'secrets', 'postgres-superuser-password'), 'utf8')).trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/enclave`;
  } catch {
    return null;
  }
}

async function openDatabase(config: AppConfig): Promise<Database> {
  const log = pino({ level: 'warn', name: 'enclave-cli' });
  if (!config.databaseUrl) {
    const running = await runningEmbeddedUrl(config);
    if (running) {
      const appUrl = await provisionRuntimeRole(running, { statementTimeoutMs: config.statementTimeoutMs });
      await assertRuntimeRoleIsSafe(appUrl);
      return { migratorUrl: running, appUrl };
    }
  }
  return prepareDatabase(config, log);
}

async function auditVerify(opts: { org: string }): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const ds = createAppDataSource(db.appUrl, config);
  await ds.initialize();
  try {
    const client = new pg.Client({ connectionString: db.appUrl });
    await client.connect();
    const found = await client.query<{ org_id: string | null }>('SELECT platform_org_id_by_slug($1) AS org_id', [opts.org]);
    await client.end();
    const orgId = found.rows[0]?.org_id;
    if (!orgId) {
      process.stderr.write(`no organization with the slug "${opts.org}"\n`);
      return 2;
    }
    const result = await ds.transaction(async (em) => {
      await em.query(
        "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', '', true), set_config('app.role', 'system', true)",
        [orgId],
      );
      return verifyChain(em, orgId);
    });
    if (result.valid) {
      process.stdout.write(`audit chain of ${opts.org}: valid (${result.checked} events checked)\n`);
      return 0;
    }
    process.stdout.write(
      `audit chain of ${opts.org}: BROKEN at ${result.lane === undefined ? '' : `lane ${result.lane}, `}event ${result.brokenAt}: ${result.reason} (${result.checked} events intact)\n`,
    );
    return 1;
  } finally {
    await ds.destroy();
    await db.embedded?.stop();
  }
}

interface TasksImportOptions {
  project: string;
  url?: string;
  token?: string;
  format?: string;
}

/**
 * Streams a file of tasks to a running server over HTTP (docs/import.md), with a progress bar on
 * stderr; the token comes from --token or ENCLAVE_TOKEN and is never printed.
 */
async function tasksImport(file: string, opts: TasksImportOptions): Promise<number> {
  const token = opts.token ?? process.env.ENCLAVE_TOKEN;
  if (!token) {
    process.stderr.write(
      'an API token is needed: --token or ENCLAVE_TOKEN (create one with POST /api/v1/auth/tokens)\n',
    );
    return 2;
  }
  const format = opts.format ?? formatFromPath(file);
  if (!format || !isImportFormat(format)) {
    process.stderr.write(
      opts.format
        ? `--format must be json, ndjson or csv, not ${opts.format}\n`
        : `cannot tell the format of ${file} from its extension: give --format json|ndjson|csv\n`,
    );
    return 2;
  }
  const url = opts.url ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'uploading [{bar}] {percentage}% | {sentMB}/{totalMB} MB | {rate} MB/s',
    hideCursor: true,
  });
  const started = Date.now();
  let barStarted = false;
  let result;
  try {
    result = await importFile({
      url,
      token,
      projectId: opts.project,
      file,
      format,
      onProgress: (sent, total) => {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        const payload = { sentMB: mb(sent), totalMB: mb(total), rate: mb(sent / seconds) };
        if (!barStarted) {
          bar.start(total, sent, payload);
          barStarted = true;
        } else bar.update(sent, payload);
      },
    });
  } finally {
    if (barStarted) bar.stop();
  }
  if (result.ok) {
    process.stdout.write(`imported ${result.imported} tasks\n`);
    return 0;
  }
  process.stderr.write(`import refused (${result.status} ${result.code}): ${result.message}\n`);
  for (const d of result.details) process.stderr.write(`  ${formatDetail(d)}\n`);
  return 1;
}

interface ExportOptions {
  project: string;
  format: string;
  status?: string;
  identities?: boolean;
  out: string;
  url?: string;
  token?: string;
}

/**
 * Streams a project's export from a running server into a file (docs/export.md), with a progress bar on
 * stderr (bytes, lines, lines/s; the total is unknown until the end). Prints the bytes, rows and SHA-256,
 * which match the server's `project.exported` audit event.
 */
async function exportProject(opts: ExportOptions): Promise<number> {
  const token = opts.token ?? process.env.ENCLAVE_TOKEN;
  if (!token) {
    process.stderr.write(
      'an API token is needed: --token or ENCLAVE_TOKEN (create one with POST /api/v1/auth/tokens)\n',
    );
    return 2;
  }
  if (!isExportFormat(opts.format)) {
    process.stderr.write(
      `--format must be jsonl, json, csv, coco, conll or preference, not ${opts.format}\n`,
    );
    return 2;
  }
  if (opts.status !== undefined && !isExportStatus(opts.status)) {
    process.stderr.write(`--status must be submitted, accepted or all, not ${opts.status}\n`);
    return 2;
  }
  const url = opts.url ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'exporting | {received} MB | {lines} lines | {rate} lines/s',
    hideCursor: true,
  });
  const started = Date.now();
  let barStarted = false;
  try {
    const result = await exportToFile({
      url,
      token,
      projectId: opts.project,
      format: opts.format,
      status: opts.status,
      identities: opts.identities,
      out: opts.out,
      onProgress: (bytes, lines) => {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        const payload = { received: mb(bytes), lines, rate: Math.round(lines / seconds) };
        if (!barStarted) {
          bar.start(0, 0, payload);
          barStarted = true;
        } else bar.update(0, payload);
      },
    });
    if (barStarted) bar.stop();
    if (!result.ok) {
      process.stderr.write(`export refused (${result.status} ${result.code}): ${result.message}\n`);
      return 1;
    }
    const rows = result.rows === null ? '' : `, ${result.rows} rows`;
    process.stdout.write(`wrote ${opts.out}: ${result.bytes} bytes${rows}\nsha256 ${result.sha256}\n`);
    return 0;
  } catch (err) {
    if (barStarted) bar.stop();
    process.stderr.write(`export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('enclave').description('Enclave administration').exitOverride();
  let code = 0;
  program
    .command('audit:verify')
    .description("recompute an organization's audit chain and name the first broken link")
    .requiredOption('--org <slug>', 'the organization slug')
    .action(async (opts: { org: string }) => {
      code = await auditVerify(opts);
    });
  program
    .command('tasks:import')
    .description('stream a JSON array, NDJSON or CSV file of tasks into a project of a running server')
    .argument('<file>', 'the file (.json, .ndjson, .jsonl or .csv)')
    .requiredOption('--project <id>', 'the project id')
    .option('--url <url>', 'the server (default http://127.0.0.1:$PORT, port 3000)')
    .option('--token <token>', 'an API token (default: $ENCLAVE_TOKEN)')
    .option('--format <format>', 'json, ndjson or csv (default: from the extension)')
    .action(async (file: string, opts: TasksImportOptions) => {
      code = await tasksImport(file, opts);
    });
  program
    .command('export')
    .description("stream a project's export from a running server into a file")
    .requiredOption('--project <id>', 'the project id')
    .requiredOption('--out <file>', 'the file to write (written as <file>.part until complete)')
    .option('--format <format>', 'jsonl, json, csv, coco, conll or preference', 'jsonl')
    .option('--status <status>', 'submitted (default), accepted or all')
    .option('--identities', 'real annotator identities instead of pseudonyms (owners and admins; audited)')
    .option('--url <url>', 'the server (default http://127.0.0.1:$PORT, port 3000)')
    .option('--token <token>', 'an API token (default: $ENCLAVE_TOKEN)')
    .action(async (opts: ExportOptions) => {
      code = await exportProject(opts);
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { exitCode?: number; code?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (typeof e.exitCode === 'number') return e.exitCode || 2;
    throw err;
  }
  return code;
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
