import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { APP_DATA_SOURCE } from '../core/db/tenant';

export interface TransactionEndHandlers {
  committed(): void;
  rolledBack(): void;
}

/**
 * Lets a streaming handler act once the request's tenant transaction has ended. The transaction
 * commits after the handler returns (TenantTransactionInterceptor), but a download must not look
 * complete before its audit event is committed: the export writes every byte but the end of the
 * response, returns, and ends the response here once COMMIT has succeeded — or destroys it when the
 * transaction rolled back, so the client sees a failed transfer.
 *
 * It listens through TypeORM's transaction events, registered once on the runtime DataSource.
 */
@Injectable()
export class TransactionEnd implements OnModuleInit {
  private readonly waiting = new WeakMap<QueryRunner, TransactionEndHandlers>();

  constructor(@Inject(APP_DATA_SOURCE) private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event: TransactionCommitEvent) => this.settle(event.queryRunner, 'committed'),
      afterTransactionRollback: (event) => this.settle(event.queryRunner, 'rolledBack'),
    };
    this.dataSource.subscribers.push(subscriber);
  }

  /** Calls one of `handlers` when the transaction open on `runner` commits or rolls back. */
  whenEnded(runner: QueryRunner, handlers: TransactionEndHandlers): void {
    this.waiting.set(runner, handlers);
  }

  private settle(runner: QueryRunner, outcome: keyof TransactionEndHandlers): void {
    // A savepoint's release or rollback is not the end of the transaction.
    if (runner.isTransactionActive) return;
    const handlers = this.waiting.get(runner);
    if (!handlers) return;
    this.waiting.delete(runner);
    handlers[outcome]();
  }
}
