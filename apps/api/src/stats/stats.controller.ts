import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ProjectStatsView } from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { UuidPipe } from '../core/http/zod';
import { StatsService } from './stats.service';

@ApiTags('stats')
@Controller('projects')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** Progress, agreement per question and each annotator's work (docs/stats.md). */
  @Get(':id/stats')
  @Can('read', 'ProjectStats')
  get(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest): Promise<ProjectStatsView> {
    return this.stats.projectStats(req.principal!, req.ability, id);
  }
}
