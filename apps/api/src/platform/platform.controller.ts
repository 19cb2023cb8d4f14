import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createOrgSchema, listQuerySchema, updateOrgSchema, type CreateOrgInput, type UpdateOrgInput } from '@enclave/contracts';
import type { z } from 'zod';
import { Can } from '../core/authz/authz';
import { ApiZodBody, ApiZodQuery, UuidPipe, ZodPipe } from '../core/http/zod';
import { PlatformService } from './platform.service';

@ApiTags('platform')
@Can('manage', 'Platform')
@Controller('platform/orgs')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  @Post()
  @Can('create', 'Organization')
  @ApiZodBody(createOrgSchema)
  create(@Body(new ZodPipe(createOrgSchema)) body: CreateOrgInput) {
    return this.platform.createOrg(body);
  }

  @Get()
  @Can('list', 'Organization')
  @ApiZodQuery(listQuerySchema)
  list(@Query(new ZodPipe(listQuerySchema)) q: z.infer<typeof listQuerySchema>) {
    return this.platform.listOrgs(q.limit, q.cursor);
  }

  @Patch(':id')
  @Can('update', 'Organization')
  @ApiZodBody(updateOrgSchema)
  update(@Param('id', UuidPipe) id: string, @Body(new ZodPipe(updateOrgSchema)) body: UpdateOrgInput) {
    return this.platform.setStatus(id, body.status);
  }
}
