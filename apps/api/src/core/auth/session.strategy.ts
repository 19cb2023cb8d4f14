import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import type { EnclaveRequest, Principal } from '../http/request-context';
import { AuthService } from './auth.service';

/** Passport strategy for both credentials Enclave accepts: the session cookie and `Bearer enc_…`. */
@Injectable()
export class EnclaveStrategy extends PassportStrategy(Strategy, 'enclave') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(req: EnclaveRequest): Promise<Principal | false> {
    return (await this.auth.authenticate(req)) ?? false;
  }
}
