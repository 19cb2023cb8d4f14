import { Controller, Get, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AssetView } from '@enclave/contracts';
import { Can } from '../core/authz/authz';
import type { EnclaveRequest } from '../core/http/request-context';
import { UuidPipe } from '../core/http/zod';
import { AssetsService } from './assets.service';

/**
 * Headers of every served asset. The type comes from the sniffed bytes and the browser may not guess
 * another (nosniff); should a crafted file still be opened as a document, it runs sandboxed with
 * nothing allowed. Nothing is cached outside the signed-in browser's memory.
 */
export const ASSET_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'private, no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
};

@ApiTags('assets')
@Controller()
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  /** 201 with a new asset; 200 with the existing one when the project already has these bytes. */
  @Post('projects/:id/assets')
  @Can('create', 'Asset')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  async upload(
    @Param('id', UuidPipe) projectId: string,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AssetView> {
    const { asset, created } = await this.assets.upload(req.principal!, req.ability!, projectId, req);
    res.status(created ? 201 : 200);
    return asset;
  }

  @Get('assets/:id')
  @Can('read', 'Asset')
  @ApiProduces('image/png', 'image/jpeg', 'image/webp', 'image/gif')
  async download(
    @Param('id', UuidPipe) id: string,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { asset, stream } = await this.assets.open(req.principal!, req.ability!, id);
    for (const [name, value] of Object.entries(ASSET_RESPONSE_HEADERS)) res.setHeader(name, value);
    return new StreamableFile(stream, {
      type: asset.mediaType,
      length: asset.byteSize,
      disposition: 'inline',
    });
  }

  @Get('assets/:id/meta')
  @Can('read', 'Asset')
  meta(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest): Promise<AssetView> {
    return this.assets.get(req.principal!, req.ability!, id);
  }
}
