import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { auditQuerySchema, type AuditQuery } from '@enclave/contracts';
import { Can } from '../authz/authz';
import { ApiZodQuery, ZodPipe } from '../http/zod';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Can('read', 'AuditEvent')
  @ApiZodQuery(auditQuerySchema)
  list(@Query(new ZodPipe(auditQuerySchema)) query: AuditQuery) {
    return this.audit.list(query);
  }

  @Get('verify')
  @Can('verify', 'AuditEvent')
  verify() {
    return this.audit.verify();
  }
}
