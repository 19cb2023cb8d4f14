import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  queueNextSchema,
  reviewSchema,
  saveAnnotationSchema,
  skipTaskSchema,
  type QueueNextInput,
  type QueueNextResponse,
  type ReviewInput,
  type ReviewNextResponse,
  type SaveAnnotationInput,
  type SkipTaskInput,
} from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { ApiZodBody, UuidPipe, ZodPipe } from '../core/http/zod';
import { AnnotationsService } from './annotations.service';
import { QueueService } from './queue.service';
import { ReviewsService } from './reviews.service';

/** 200 with the body, or 204 when the queue has nothing for the caller. */
function orNoContent<T>(res: Response, value: T | null): T | undefined {
  if (value === null) {
    res.status(204);
    return undefined;
  }
  res.status(200);
  return value;
}

@ApiTags('labelling')
@Controller()
export class LabellingController {
  constructor(
    private readonly queue: QueueService,
    private readonly annotations: AnnotationsService,
    private readonly reviews: ReviewsService,
  ) {}

  @Post('projects/:id/queue/next')
  @Can('label', 'Task')
  @ApiZodBody(queueNextSchema)
  async next(
    @Param('id', UuidPipe) projectId: string,
    @Body(new ZodPipe(queueNextSchema)) body: QueueNextInput,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<QueueNextResponse | undefined> {
    return orNoContent(res, await this.queue.next(req.principal!, req.ability, projectId, body.holding));
  }

  @Put('tasks/:id/annotation')
  @Can('label', 'Task')
  @ApiZodBody(saveAnnotationSchema)
  save(@Param('id', UuidPipe) taskId: string, @Body(new ZodPipe(saveAnnotationSchema)) body: SaveAnnotationInput, @Req() req: EnclaveRequest) {
    return this.annotations.save(req.principal!, req.ability, taskId, body);
  }

  @Post('tasks/:id/skip')
  @HttpCode(204)
  @Can('label', 'Task')
  @ApiZodBody(skipTaskSchema)
  async skip(@Param('id', UuidPipe) taskId: string, @Body(new ZodPipe(skipTaskSchema)) body: SkipTaskInput, @Req() req: EnclaveRequest) {
    await this.annotations.skip(req.principal!, req.ability, taskId, body.reason);
  }

  @Get('tasks/:id/annotations')
  @Can('read', 'Annotation')
  listForTask(@Param('id', UuidPipe) taskId: string, @Req() req: EnclaveRequest) {
    return this.annotations.listForTask(req.principal!, req.ability, taskId);
  }

  @Post('projects/:id/review/next')
  @Can('review', 'Annotation')
  async reviewNext(
    @Param('id', UuidPipe) projectId: string,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReviewNextResponse | undefined> {
    return orNoContent(res, await this.reviews.next(req.principal!, req.ability, projectId));
  }

  @Post('annotations/:id/review')
  @HttpCode(200)
  @Can('review', 'Annotation')
  @ApiZodBody(reviewSchema)
  review(@Param('id', UuidPipe) annotationId: string, @Body(new ZodPipe(reviewSchema)) body: ReviewInput, @Req() req: EnclaveRequest) {
    return this.reviews.review(req.principal!, req.ability, annotationId, body);
  }
}
