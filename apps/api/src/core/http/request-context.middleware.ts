import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { requestStorage, type EnclaveRequest } from './request-context';

/** Carries the request through AsyncLocalStorage for the audit log and the logs. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: EnclaveRequest, _res: Response, next: NextFunction): void {
    requestStorage.run(req, next);
  }
}
