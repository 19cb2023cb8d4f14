import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  createProjectSchema,
  LABEL_TEMPLATES,
  listProjectsQuerySchema,
  listTasksQuerySchema,
  putMemberSchema,
  updateProjectSchema,
  type CreateProjectInput,
  type ListProjectsQuery,
  type ListTasksQuery,
  type PutMemberInput,
  type TemplateView,
  type UpdateProjectInput,
} from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { ApiZodBody, ApiZodQuery, UuidPipe, ZodPipe } from '../core/http/zod';
import { MembersService } from './members.service';
import { ProjectTasksService } from './project-tasks.service';
import { ProjectsService } from './projects.service';
import { readSampleRows } from './sample-data';

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly members: MembersService,
    private readonly tasks: ProjectTasksService,
  ) {}

  @Get()
  @Can('list', 'Project')
  @ApiZodQuery(listProjectsQuerySchema)
  list(@Query(new ZodPipe(listProjectsQuerySchema)) q: ListProjectsQuery, @Req() req: EnclaveRequest) {
    return this.projects.list(req.principal!, q);
  }

  @Post()
  @Can('create', 'Project')
  @ApiZodBody(createProjectSchema)
  create(@Body(new ZodPipe(createProjectSchema)) body: CreateProjectInput, @Req() req: EnclaveRequest) {
    return this.projects.create(req.principal!, req.ability, body);
  }

  @Get(':id')
  @Can('read', 'Project')
  get(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest) {
    return this.projects.get(req.principal!, req.ability, id);
  }

  @Patch(':id')
  @Can('update', 'Project')
  @ApiZodBody(updateProjectSchema)
  update(@Param('id', UuidPipe) id: string, @Body(new ZodPipe(updateProjectSchema)) body: UpdateProjectInput, @Req() req: EnclaveRequest) {
    return this.projects.update(req.principal!, req.ability, id, body);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Can('archive', 'Project')
  archive(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest) {
    return this.projects.archive(req.principal!, req.ability, id);
  }

  @Get(':id/members')
  @Can('list', 'ProjectMember')
  listMembers(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest) {
    return this.members.list(req.principal!, req.ability, id);
  }

  @Put(':id/members/:userId')
  @Can('update', 'ProjectMember')
  @ApiZodBody(putMemberSchema)
  putMember(
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
    @Body(new ZodPipe(putMemberSchema)) body: PutMemberInput,
    @Req() req: EnclaveRequest,
  ) {
    return this.members.put(req.principal!, req.ability, id, userId, body.role);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @Can('delete', 'ProjectMember')
  async removeMember(@Param('id', UuidPipe) id: string, @Param('userId', UuidPipe) userId: string, @Req() req: EnclaveRequest) {
    await this.members.remove(req.principal!, req.ability, id, userId);
  }

  @Get(':id/tasks')
  @Can('list', 'Task')
  @ApiZodQuery(listTasksQuerySchema)
  listTasks(@Param('id', UuidPipe) id: string, @Query(new ZodPipe(listTasksQuerySchema)) q: ListTasksQuery, @Req() req: EnclaveRequest) {
    return this.tasks.list(req.principal!, req.ability, id, q);
  }
}

/** The templates a project can start from: the label configuration and the size of its sample data. */
@ApiTags('projects')
@Controller('templates')
export class TemplatesController {
  private cached: Promise<TemplateView[]> | undefined;

  @Get()
  @Can('create', 'Project')
  async list(): Promise<{ items: TemplateView[] }> {
    this.cached ??= Promise.all(
      LABEL_TEMPLATES.map(async (t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        labelConfig: t.labelConfig,
        sampleSize: (await readSampleRows(t)).length,
      })),
    );
    return { items: await this.cached };
  }
}
