import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../core/authz/authz';
import { Db } from '../core/db/tenant';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: Db) {}

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      await this.db.preTenant('SELECT 1');
      return { status: 'ok', db: 'ok' };
    } catch {
      res.status(503);
      return { status: 'degraded', db: 'unreachable' };
    }
  }
}
