import type { Socket } from 'node:net';
import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ImportResult } from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { UuidPipe } from '../core/http/zod';
import { IMPORT_MEDIA_TYPES } from './import-format';
import { TasksImportService } from './tasks-import.service';

/** How long a connection keeps discarding an unread body after the answer before it is closed. */
export const LINGER_MS = 2000;

/**
 * A body that was not read to its end (a refusal before reading, or reading stopped at the first 100 bad
 * lines) is thrown away as it arrives and the connection closes after the answer: keep-alive would
 * mean reading the rest of a body of any size first.
 *
 * The close lingers. Node destroys a `Connection: close` socket as soon as the answer is written, and
 * closing a socket with unread bytes resets the connection: a client still sending then fails its next
 * write and, racing that failure, often never reads the answer. So the socket half-closes (FIN after the
 * answer), keeps discarding what arrives, and is destroyed when the client closes or after LINGER_MS.
 */
function discardUnreadBody(req: EnclaveRequest, res: Response): void {
  if (req.readableEnded) return;
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.unpipe();
  req.resume();
  const socket = req.socket;
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

@ApiTags('tasks')
@Controller('projects/:id/tasks')
export class TasksImportController {
  constructor(private readonly imports: TasksImportService) {}

  /** Streams a JSON array, NDJSON or CSV of tasks into the project; all or nothing (docs/import.md). */
  @Post()
  @HttpCode(201)
  @Can('import', 'Task')
  @ApiConsumes(...Object.keys(IMPORT_MEDIA_TYPES))
  @ApiBody({
    description:
      'rows {data, externalId?, priority?, gold?}: a JSON array, NDJSON or CSV (see docs/import.md)',
    schema: { type: 'string', format: 'binary' },
  })
  async importTasks(
    @Param('id', UuidPipe) projectId: string,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResult> {
    try {
      return await this.imports.importTasks(req.principal!, req.ability, projectId, req);
    } finally {
      discardUnreadBody(req, res);
    }
  }
}
