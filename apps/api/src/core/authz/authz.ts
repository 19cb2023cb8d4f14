import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defineAbilityFor, type Action, type AppAbility, type SubjectName } from '@enclave/contracts';
import { AppError } from '../errors/app-error';
import type { EnclaveRequest, Principal } from '../http/request-context';

/** One CASL ability per request, from the contracts' vocabulary. */
export function abilityFor(principal: Principal): AppAbility {
  return defineAbilityFor({ userId: principal.id, role: principal.role, orgId: principal.orgId });
}

export const PUBLIC_ROUTE = 'enclave:public';
/** No sign-in and no tenant transaction (health, login). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const REQUIRED_ABILITY = 'enclave:ability';
/** The action a route needs on a subject type; services check the instance. */
export const Can = (action: Action, subject: SubjectName) => SetMetadata(REQUIRED_ABILITY, [{ action, subject }]);

/** Route-level check of the action; instance checks live in the services. */
@Injectable()
export class PoliciesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    // Class-level and route-level requirements all apply.
    const required = this.reflector.getAllAndMerge<{ action: Action; subject: SubjectName }[]>(REQUIRED_ABILITY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const req = context.switchToHttp().getRequest<EnclaveRequest>();
    for (const r of required) {
      if (!req.ability || !req.ability.can(r.action, r.subject)) {
        throw AppError.forbidden(`your role may not ${r.action} ${r.subject}`);
      }
    }
    return true;
  }
}

/** The instance check services make: 403 unless the caller may act on this very object. */
export function assertCan(ability: AppAbility | undefined, action: Action, target: Parameters<AppAbility['can']>[1], what: string): void {
  if (!ability || !ability.can(action, target)) throw AppError.forbidden(`you may not ${action} this ${what}`);
}
