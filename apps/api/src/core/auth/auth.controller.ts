import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  changePasswordSchema,
  createTokenSchema,
  loginSchema,
  type ChangePasswordInput,
  type CreateTokenInput,
  type LoginInput,
} from '@enclave/contracts';
import { Can, Public } from '../authz/authz';
import type { EnclaveRequest } from '../http/request-context';
import { ApiZodBody, UuidPipe, ZodPipe } from '../http/zod';
import { AuthService, toMe } from './auth.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiZodBody(loginSchema)
  async login(
    @Body(new ZodPipe(loginSchema)) body: LoginInput,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return { user: await this.auth.login(body, req, res) };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: EnclaveRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(req.principal!);
    this.auth.clearSessionCookies(req, res);
  }

  @Get('me')
  me(@Req() req: EnclaveRequest) {
    return toMe(req.principal!);
  }

  @Post('password')
  @HttpCode(204)
  @ApiZodBody(changePasswordSchema)
  async changePassword(
    @Body(new ZodPipe(changePasswordSchema)) body: ChangePasswordInput,
    @Req() req: EnclaveRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.auth.changePassword(req.principal!, body, req, res);
  }

  @Post('tokens')
  @Can('create', 'ApiToken')
  @ApiZodBody(createTokenSchema)
  createToken(@Body(new ZodPipe(createTokenSchema)) body: CreateTokenInput, @Req() req: EnclaveRequest) {
    return this.auth.createToken(req.principal!, body);
  }

  @Get('tokens')
  @Can('read', 'ApiToken')
  listTokens(@Req() req: EnclaveRequest) {
    return this.auth.listTokens(req.principal!);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @Can('delete', 'ApiToken')
  async revokeToken(@Param('id', UuidPipe) id: string, @Req() req: EnclaveRequest): Promise<void> {
    await this.auth.revokeToken(req.principal!, id);
  }
}
