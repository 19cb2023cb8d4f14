import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { jsonBodyMiddleware } from './json-body';

@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly handler: ReturnType<typeof jsonBodyMiddleware>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.handler = jsonBodyMiddleware(config.jsonMaxDepth);
  }

  /** Errors are rejected (not passed to `next`) so that Nest's exception filter renders them. */
  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.handler(req, res, (err?: unknown) => {
        if (err) return reject(err);
        resolve();
        next();
      });
    });
  }
}
