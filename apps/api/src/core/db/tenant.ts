import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** Who a transaction acts for. `orgId: null` is the operator (and pre-tenant work): no tenant rows. */
export interface TenantScope {
  orgId: string | null;
  userId: string | null;
  role: string;
}

interface TxStore {
  em: EntityManager;
  scope: TenantScope;
}

const txStorage = new AsyncLocalStorage<TxStore>();

export const APP_DATA_SOURCE = Symbol('APP_DATA_SOURCE');

const SET_SCOPE_SQL =
  "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.role', $3, true)";

/**
 * Statements are prepared once per connection and reused by name. PostgreSQL then parses, rewrites
 * (where row-level security adds its policies) and plans a statement once per connection instead of on
 * every execution: under the policies, that planning cost more than most statements' execution
 * (docs/benchmarks.md, `rls`). Only this many distinct texts are named, so that SQL built with a
 * varying shape can never fill a backend's memory with prepared statements; the rest run unnamed.
 */
const MAX_PREPARED = 1000;
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `enclave_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * The transaction's first round trip: it opens and is scoped in one simple-protocol message, which takes
 * no bind parameters, so the scope's values are quoted literals (pg's escapeLiteral).
 */
export function beginScopedSql(scope: TenantScope): string {
  const lit = (v: string) => escapeLiteral(v);
  return (
    'START TRANSACTION; ' +
    `SELECT set_config('app.org_id', ${lit(scope.orgId ?? '')}, true), set_config('app.user_id', ${lit(scope.userId ?? '')}, true), ` +
    `set_config('app.role', ${lit(scope.role)}, true)`
  );
}

/**
 * The one tenant-transaction helper. Every request (and job) that touches a tenant table runs inside
 * `inTenant`, which opens one transaction on the runtime role's pool and scopes it with
 * transaction-local settings; row-level security reads them. Services get the transaction's
 * EntityManager from `em`, carried by AsyncLocalStorage, never from the global pool.
 */
@Injectable()
export class Db {
  constructor(@Inject(APP_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async inTenant<T>(scope: TenantScope, work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (txStorage.getStore()) {
      // A second connection inside a request would see neither the first's uncommitted rows nor its
      // scope, and a pool of one would deadlock: nesting is a bug.
      throw new Error('inTenant called inside a tenant transaction');
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      try {
        await runner.query(beginScopedSql(scope));
      } catch (err) {
        await runner.query('ROLLBACK').catch(() => undefined); // never hand the pool an open transaction
        throw err;
      }
      // What TypeORM's startTransaction records, so that TypeORM itself would nest (a savepoint), never
      // start or commit a transaction of its own inside this one.
      Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
      const em = runner.manager;
      let result: T;
      try {
        result = await txStorage.run({ em, scope }, () => work(em));
      } catch (err) {
        await runner.rollbackTransaction().catch(() => undefined); // the work's error is the one to report
        throw err;
      }
      await runner.commitTransaction();
      return result;
    } finally {
      await runner.release();
    }
  }

  /** The current tenant transaction's EntityManager. */
  get em(): EntityManager {
    const store = txStorage.getStore();
    if (!store) throw new Error('no tenant transaction: wrap the work in Db.inTenant');
    return store.em;
  }

  /** Rows of a statement in the current tenant transaction (RETURNING rows for writes). */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.run(text, params)).rows as T[];
  }

  /** The number of rows a write in the current tenant transaction touched. */
  async exec(text: string, params: unknown[] = []): Promise<number> {
    const result = await this.run(text, params);
    return result.rowCount ?? result.rows.length;
  }

  /** A prepared statement (see `statementName`) on the transaction's own connection. */
  private async run(text: string, params: unknown[]): Promise<QueryResult> {
    const client = await this.pgClient();
    return client.query({ name: statementName(text), text, values: params });
  }

  /**
   * The raw `pg` client of the current tenant transaction, for what TypeORM cannot do: streaming
   * `COPY … FROM STDIN` (pg-copy-streams). It is the transaction's own connection: statements on it
   * run inside the transaction and its scope; never release or end it, the transaction does.
   */
  async pgClient(): Promise<PoolClient> {
    const runner = this.em.queryRunner;
    if (!runner || runner.isReleased || !(runner instanceof PostgresQueryRunner)) {
      throw new Error('tenant transaction without a connected PostgreSQL query runner');
    }
    // Already connected (the transaction has begun): connect() hands back that same client.
    return (await runner.connect()) as PoolClient;
  }

  get scope(): TenantScope {
    const store = txStorage.getStore();
    if (!store) throw new Error('no tenant transaction: wrap the work in Db.inTenant');
    return store.scope;
  }

  get inTransaction(): boolean {
    return txStorage.getStore() !== undefined;
  }

  /**
   * The operator's requests run with no tenant. Creating or suspending an organization writes that
   * organization's rows (and its audit chain) under its own scope, inside the same transaction, and
   * restores "no tenant" afterwards.
   */
  async actingFor<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    const store = txStorage.getStore();
    if (!store) throw new Error('actingFor needs a transaction');
    const inner: TenantScope = { orgId, userId: store.scope.userId, role: store.scope.role };
    await store.em.query(SET_SCOPE_SQL, [orgId, inner.userId ?? '', inner.role]);
    let failed = false;
    try {
      return await txStorage.run({ em: store.em, scope: inner }, work);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // After a failed statement the transaction is aborted (it rolls back): restoring the scope fails
      // too, and must not replace the work's own error (a 409 would become a 500).
      await store.em
        .query(SET_SCOPE_SQL, [store.scope.orgId ?? '', store.scope.userId ?? '', store.scope.role])
        .catch((err: unknown) => {
          if (!failed) throw err;
        });
    }
  }

  /**
   * Queries on the pool outside any tenant transaction: only the platform tables and the narrow
   * SECURITY DEFINER lookups (login, session, token) may go through here.
   */
  async preTenant<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.dataSource.query(sql, params)) as T[];
  }
}
