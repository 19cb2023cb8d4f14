import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defaultIfEmpty, from, lastValueFrom, type Observable } from 'rxjs';
import { PUBLIC_ROUTE } from '../authz/authz';
import type { EnclaveRequest } from '../http/request-context';
import { Db } from './tenant';

/**
 * One tenant transaction per request: the handler runs inside it and the answer leaves only after the
 * commit, so a client never sees success for a change that rolled back.
 */
@Injectable()
export class TenantTransactionInterceptor implements NestInterceptor {
  constructor(
    private readonly db: Db,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<EnclaveRequest>();
    const principal = req.principal;
    if (isPublic || !principal) return next.handle();
    const scope = { orgId: principal.orgId, userId: principal.id, role: principal.role };
    return from(this.db.inTenant(scope, () => lastValueFrom(next.handle().pipe(defaultIfEmpty(undefined)))));
  }
}
