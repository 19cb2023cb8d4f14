import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { abilityFor, PUBLIC_ROUTE } from '../authz/authz';
import { AppError } from '../errors/app-error';
import type { EnclaveRequest, Principal } from '../http/request-context';

/** Every route needs a signed-in caller unless marked @Public(); the ability is built here, once. */
@Injectable()
export class AuthenticationGuard extends AuthGuard('enclave') {
  constructor(private readonly reflector: Reflector) {
    super({ session: false, property: 'principal' });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<EnclaveRequest>();
    if (req.principal) req.ability = abilityFor(req.principal);
    return true;
  }

  override handleRequest<TUser = Principal>(err: unknown, user: TUser | false): TUser {
    if (err) throw err;
    if (!user) throw new AppError('UNAUTHENTICATED', 'sign in first');
    return user;
  }
}
