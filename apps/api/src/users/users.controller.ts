import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  createUserSchema,
  listQuerySchema,
  updateUserSchema,
  type CreateUserInput,
  type UpdateUserInput,
} from '@enclave/contracts';
import type { z } from 'zod';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { ApiZodBody, ApiZodQuery, UuidPipe, ZodPipe } from '../core/http/zod';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Can('list', 'User')
  @ApiZodQuery(listQuerySchema)
  list(@Query(new ZodPipe(listQuerySchema)) q: z.infer<typeof listQuerySchema>, @Req() req: EnclaveRequest) {
    return this.users.list(req.principal!, q.limit, q.cursor);
  }

  @Get(':id')
  @Can('read', 'User')
  get(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest) {
    return this.users.get(req.principal!, req.ability!, id);
  }

  @Post()
  @Can('create', 'User')
  @ApiZodBody(createUserSchema)
  create(@Body(new ZodPipe(createUserSchema)) body: CreateUserInput, @Req() req: EnclaveRequest) {
    return this.users.create(req.principal!, req.ability!, body);
  }

  @Patch(':id')
  @Can('update', 'User')
  @ApiZodBody(updateUserSchema)
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateUserSchema)) body: UpdateUserInput,
    @Req() req: EnclaveRequest,
  ) {
    return this.users.update(req.principal!, req.ability!, id, body);
  }
}
