import path from 'node:path';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Every environment variable Enclave reads, validated once at start. A wrong value stops the start with
 * a message that names the variable.
 */
const boolFlag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// or postgresql:// URL' })
  .refine(
    (v) => {
      try {
        new URL(v);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid URL' },
  );
const intInRange = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `loopback`, `uniquelocal`, IP addresses or CIDR ranges, comma-separated (Express's trust proxy syntax). */
const trustProxy = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .refine(
    (parts) =>
      parts.every((p) => {
        if (['loopback', 'linklocal', 'uniquelocal'].includes(p)) return true;
        const [addr, bits, extra] = p.split('/');
        if (extra !== undefined || !addr || !isIP(addr)) return false;
        return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128));
      }),
    { message: 'must list IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated' },
  );

const envSchema = z.object({
  PORT: intInRange(1, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_APP_URL: postgresUrl.optional(),
  ENCLAVE_DATA_DIR: z.string().min(1).default('./.enclave'),
  ENCLAVE_OPERATOR_EMAIL: z.email({ message: 'must be an e-mail address' }).optional(),
  ENCLAVE_OPERATOR_PASSWORD: z.string().min(12, { message: 'must be at least 12 characters' }).optional(),
  ENCLAVE_DEMO: boolFlag.default(true),
  ENCLAVE_TRUST_PROXY: trustProxy.optional(),
  ENCLAVE_SESSION_IDLE_MINUTES: intInRange(1, 7 * 24 * 60).default(60),
  ENCLAVE_SESSION_ABSOLUTE_HOURS: intInRange(1, 30 * 24).default(12),
  ENCLAVE_LOGIN_MAX_FAILURES_PER_ACCOUNT: intInRange(1, 1000).default(5),
  ENCLAVE_LOGIN_MAX_FAILURES_PER_ADDRESS: intInRange(1, 100000).default(50),
  ENCLAVE_LOGIN_WINDOW_SECONDS: intInRange(1, 86400).default(900),
  ENCLAVE_STATEMENT_TIMEOUT_MS: intInRange(100, 3_600_000).default(15000),
  // Twice the CPUs, between 4 and 10: PostgreSQL usually shares this machine, and connections beyond
  // what its cores can run only make the statements queue inside PostgreSQL, slower than in the pool
  // (docs/benchmarks.md, `queue`). Set it from the database server's cores when it runs elsewhere.
  ENCLAVE_DB_POOL_SIZE: intInRange(1, 200).default(Math.min(10, Math.max(4, 2 * availableParallelism()))),
  ENCLAVE_EMBEDDED_PG_PORT: intInRange(1, 65535).optional(),
  ENCLAVE_JSON_MAX_DEPTH: intInRange(2, 512).default(32),
  ENCLAVE_ASSET_MAX_BYTES: intInRange(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  ENCLAVE_IMPORT_MAX_ROWS: intInRange(1, 100_000_000).default(10_000_000),
  ENCLAVE_IMPORT_MAX_BYTES: intInRange(1024, 1024 ** 4).default(16 * 1024 ** 3),
  ENCLAVE_IMPORT_TIMEOUT_MINUTES: intInRange(1, 24 * 60).default(120),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface AppConfig {
  port: number;
  host: string;
  /** The migrator: owns the schema, may create roles. Unset: the embedded server's superuser. */
  databaseUrl: string | undefined;
  /** The runtime role, when a DBA provisions it; unset: the migrator provisions `enclave_app`. */
  databaseAppUrl: string | undefined;
  dataDir: string;
  operator: { email: string; password: string } | undefined;
  demo: boolean;
  trustProxy: string[] | undefined;
  session: { idleSeconds: number; absoluteSeconds: number };
  throttle: { maxPerAccount: number; maxPerAddress: number; windowSeconds: number };
  statementTimeoutMs: number;
  poolSize: number;
  embeddedPgPort: number | undefined;
  jsonMaxDepth: number;
  /** The largest image upload, in bytes (413 above it). */
  assetMaxBytes: number;
  /** Task imports: rows and bytes per request, and how long one import may run. */
  import: { maxRows: number; maxBytes: number; timeoutMs: number };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, so `FOO= npm start` behaves like leaving FOO out.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_APP_URL && !e.DATABASE_URL) {
    throw new ConfigError('Invalid configuration:\n  DATABASE_APP_URL: needs DATABASE_URL (the migrator) as well');
  }
  if (Boolean(e.ENCLAVE_OPERATOR_EMAIL) !== Boolean(e.ENCLAVE_OPERATOR_PASSWORD)) {
    const missing = e.ENCLAVE_OPERATOR_EMAIL ? 'ENCLAVE_OPERATOR_PASSWORD' : 'ENCLAVE_OPERATOR_EMAIL';
    throw new ConfigError(`Invalid configuration:\n  ${missing}: required when the other operator variable is set`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseAppUrl: e.DATABASE_APP_URL,
    dataDir: path.resolve(e.ENCLAVE_DATA_DIR),
    operator:
      e.ENCLAVE_OPERATOR_EMAIL && e.ENCLAVE_OPERATOR_PASSWORD
        ? { email: e.ENCLAVE_OPERATOR_EMAIL.toLowerCase(), password: e.ENCLAVE_OPERATOR_PASSWORD }
        : undefined,
    demo: e.ENCLAVE_DEMO,
    trustProxy: e.ENCLAVE_TRUST_PROXY,
    session: {
      idleSeconds: e.ENCLAVE_SESSION_IDLE_MINUTES * 60,
      absoluteSeconds: e.ENCLAVE_SESSION_ABSOLUTE_HOURS * 3600,
    },
    throttle: {
      maxPerAccount: e.ENCLAVE_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerAddress: e.ENCLAVE_LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: e.ENCLAVE_LOGIN_WINDOW_SECONDS,
    },
    statementTimeoutMs: e.ENCLAVE_STATEMENT_TIMEOUT_MS,
    poolSize: e.ENCLAVE_DB_POOL_SIZE,
    embeddedPgPort: e.ENCLAVE_EMBEDDED_PG_PORT,
    jsonMaxDepth: e.ENCLAVE_JSON_MAX_DEPTH,
    assetMaxBytes: e.ENCLAVE_ASSET_MAX_BYTES,
    import: {
      maxRows: e.ENCLAVE_IMPORT_MAX_ROWS,
      maxBytes: e.ENCLAVE_IMPORT_MAX_BYTES,
      timeoutMs: e.ENCLAVE_IMPORT_TIMEOUT_MINUTES * 60_000,
    },
    logLevel: e.LOG_LEVEL,
  };
}

/** The Nest injection token of the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
