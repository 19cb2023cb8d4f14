import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { exportQuerySchema, type ExportQuery } from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { ApiZodQuery, UuidPipe, ZodPipe } from '../core/http/zod';
import { ExportsService } from './exports.service';

@ApiTags('exports')
@Controller('projects/:id/export')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  /**
   * Streams the project's annotations in one of six formats (docs/export.md). The handler writes the
   * response itself and returns once every byte but the end is written; the end follows the commit.
   */
  @Get()
  @Can('export', 'Project')
  @ApiZodQuery(exportQuerySchema)
  @ApiProduces('application/x-ndjson', 'application/json', 'text/csv', 'text/plain')
  async exportProject(
    @Param('id', UuidPipe) projectId: string,
    @Query(new ZodPipe(exportQuerySchema)) query: ExportQuery,
    @Req() req: EnclaveRequest,
    @Res() res: Response,
  ): Promise<void> {
    await this.exports.exportProject(req.principal!, req.ability, projectId, query, res);
  }
}
