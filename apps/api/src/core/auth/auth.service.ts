import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type {
  ChangePasswordInput,
  CreateTokenInput,
  LoginInput,
  MeResponse,
  OrgRole,
  Page,
  TokenScope,
  TokenView,
} from '@enclave/contracts';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Db } from '../db/tenant';
import { AppError } from '../errors/app-error';
import { clientAddress, userAgent, type EnclaveRequest, type Principal } from '../http/request-context';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { LoginThrottle } from './throttle.service';

export const SESSION_COOKIE = 'enclave_session';
export const CSRF_COOKIE = 'enclave_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const TOKEN_PREFIX = 'enc_';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

interface LoginRow {
  kind: 'user' | 'operator';
  principal_id: string;
  org_id: string | null;
  password_hash: string;
  user_status: string;
  org_status: string | null;
}

interface SessionRow {
  kind: 'user' | 'operator';
  session_id: string;
  principal_id: string;
  org_id: string | null;
  role: string;
  email: string;
  name: string;
  csrf_hash: Buffer;
  org_slug: string | null;
  org_name: string | null;
}

interface TokenRow {
  token_id: string;
  principal_id: string;
  org_id: string;
  role: string;
  email: string;
  name: string;
  scopes: TokenScope[];
  org_slug: string;
  org_name: string;
}

export function toMe(p: Principal): MeResponse {
  return { id: p.id, email: p.email, name: p.name, role: p.role, orgId: p.orgId, orgSlug: p.orgSlug, orgName: p.orgName };
}

/**
 * Sign-in, sessions and API tokens. Pre-tenant lookups go through the narrow SECURITY DEFINER
 * functions of the core migration; everything that writes a tenant row runs in that tenant's
 * transaction, with its audit event.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(input: LoginInput, req: EnclaveRequest, res: Response): Promise<MeResponse> {
    const address = clientAddress(req);
    const wait = await this.throttle.retryAfter(input.email, address);
    if (wait > 0) {
      throw new AppError('TOO_MANY_REQUESTS', 'too many failed sign-ins; try again later', [], {
        headers: { 'Retry-After': String(wait) },
      });
    }

    const [found] = await this.db.preTenant<LoginRow>('SELECT * FROM auth_find_login($1)', [input.email]);
    const ok = found ? await verifyPassword(found.password_hash, input.password) : (await burnPasswordCheck(input.password), false);

    if (!found || !ok) {
      await this.throttle.recordFailure(input.email, address);
      await this.recordLoginFailure(found, input.email);
      throw new AppError('INVALID_CREDENTIALS', 'the e-mail address or the password is wrong');
    }
    if (found.kind === 'user' && found.org_status !== 'active') {
      await this.recordLoginFailure(found, input.email, 'organization suspended');
      throw new AppError('FORBIDDEN', 'your organization is suspended; ask the operator of this instance');
    }
    if (found.kind === 'user' && found.user_status !== 'active') {
      await this.recordLoginFailure(found, input.email, 'account disabled');
      throw new AppError('FORBIDDEN', 'your account is disabled; ask an administrator of your organization');
    }
    await this.throttle.recordSuccess(input.email);

    // A fresh session id at every sign-in: nothing a visitor held before signing in survives it.
    const secret = newSecret();
    const csrf = newSecret();
    const expiresAt = new Date(Date.now() + this.config.session.absoluteSeconds * 1000);
    const ip = address;
    const ua = userAgent(req);
    if (found.kind === 'operator') {
      await this.db.inTenant({ orgId: null, userId: found.principal_id, role: 'operator' }, async () => {
        await this.db.sql(
          `INSERT INTO operator_sessions (operator_id, token_hash, csrf_hash, expires_at, ip, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [found.principal_id, sha256(secret), sha256(csrf), expiresAt, ip, ua],
        );
        await this.audit.append({ action: 'auth.login', actor: { type: 'operator', id: found.principal_id } });
      });
    } else {
      await this.db.inTenant({ orgId: found.org_id, userId: found.principal_id, role: 'user' }, async () => {
        await this.db.sql(
          `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at, ip, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [found.org_id, found.principal_id, sha256(secret), sha256(csrf), expiresAt, ip, ua],
        );
        await this.audit.append({
          action: 'auth.login',
          actor: { type: 'user', id: found.principal_id },
          targetType: 'user',
          targetId: found.principal_id,
        });
      });
    }
    this.setSessionCookies(req, res, secret, csrf);
    const principal = await this.resolveSession(secret);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'the new session could not be read back');
    return toMe(principal);
  }

  private async recordLoginFailure(found: LoginRow | undefined, email: string, reason = 'bad credentials'): Promise<void> {
    const details = { reason, emailSha256: sha256(email).toString('hex').slice(0, 16) };
    if (found?.kind === 'user' && found.org_id) {
      await this.db.inTenant({ orgId: found.org_id, userId: null, role: 'anonymous' }, () =>
        this.audit.append({
          action: 'auth.login_failed',
          outcome: 'failure',
          actor: { type: 'anonymous', id: null },
          targetType: 'user',
          targetId: found.principal_id,
          details,
        }),
      );
    } else {
      await this.db.inTenant({ orgId: null, userId: null, role: 'anonymous' }, () =>
        this.audit.append({
          action: 'auth.login_failed',
          outcome: 'failure',
          actor: { type: 'anonymous', id: null },
          targetType: found ? 'operator' : undefined,
          targetId: found?.principal_id,
          details,
        }),
      );
    }
  }

  setSessionCookies(req: EnclaveRequest, res: Response, secret: string, csrf: string): void {
    const base = { sameSite: 'strict' as const, secure: req.secure, path: '/' };
    const maxAge = this.config.session.absoluteSeconds * 1000;
    res.cookie(SESSION_COOKIE, secret, { ...base, httpOnly: true, maxAge });
    // Readable by the page, which echoes it in X-CSRF-Token (double submit).
    res.cookie(CSRF_COOKIE, csrf, { ...base, httpOnly: false, maxAge });
  }

  clearSessionCookies(req: EnclaveRequest, res: Response): void {
    const base = { sameSite: 'strict' as const, secure: req.secure, path: '/' };
    res.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
    res.clearCookie(CSRF_COOKIE, { ...base, httpOnly: false });
  }

  /** The caller of a request: an API token (Authorization: Bearer enc_…) or the session cookie. */
  async authenticate(req: EnclaveRequest): Promise<Principal | null> {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.length > 0) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m || !m[1]!.startsWith(TOKEN_PREFIX)) {
        throw new AppError('UNAUTHENTICATED', 'the Authorization header must be "Bearer enc_…"');
      }
      const principal = await this.resolveToken(m[1]!);
      if (!principal) throw new AppError('UNAUTHENTICATED', 'the API token is unknown, expired or revoked');
      if (!SAFE_METHODS.has(req.method) && !principal.scopes?.includes('write')) {
        // As for CSRF below: the principal is known, so the denial is audited against its organization.
        req.principal = principal;
        throw new AppError('TOKEN_SCOPE', 'this API token has no "write" scope', [], { auditDenial: true });
      }
      return principal;
    }
    const cookies = (req.cookies ?? {}) as Record<string, unknown>;
    const secret = cookies[SESSION_COOKIE];
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 200) return null;
    const principal = await this.resolveSession(secret);
    if (!principal) return null;
    if (!SAFE_METHODS.has(req.method)) this.checkCsrf(req, principal);
    return principal;
  }

  private csrfHashes = new WeakMap<Principal, Buffer>();

  private checkCsrf(req: EnclaveRequest, principal: Principal): void {
    const header = req.headers[CSRF_HEADER];
    const cookie = ((req.cookies ?? {}) as Record<string, unknown>)[CSRF_COOKIE];
    const expected = this.csrfHashes.get(principal);
    const valid =
      typeof header === 'string' &&
      typeof cookie === 'string' &&
      header.length > 0 &&
      header === cookie &&
      expected !== undefined &&
      timingSafeEqual(sha256(header), expected);
    if (!valid) {
      // The principal is known, so the denial can be audited against the right organization.
      req.principal = principal;
      throw new AppError('CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token header', [], { auditDenial: true });
    }
  }

  async resolveSession(secret: string): Promise<Principal | null> {
    const [row] = await this.db.preTenant<SessionRow>('SELECT * FROM auth_resolve_session($1, $2)', [
      sha256(secret),
      this.config.session.idleSeconds,
    ]);
    if (!row) return null;
    const principal: Principal = {
      kind: row.kind,
      id: row.principal_id,
      orgId: row.org_id,
      role: row.role as Principal['role'],
      email: row.email,
      name: row.name,
      orgSlug: row.org_slug,
      orgName: row.org_name,
      via: 'session',
      sessionId: row.session_id,
    };
    this.csrfHashes.set(principal, row.csrf_hash);
    return principal;
  }

  private async resolveToken(token: string): Promise<Principal | null> {
    if (token.length > 200) return null;
    const [row] = await this.db.preTenant<TokenRow>('SELECT * FROM auth_resolve_token($1)', [sha256(token)]);
    if (!row) return null;
    return {
      kind: 'user',
      id: row.principal_id,
      orgId: row.org_id,
      role: row.role as OrgRole,
      email: row.email,
      name: row.name,
      orgSlug: row.org_slug,
      orgName: row.org_name,
      via: 'token',
      tokenId: row.token_id,
      scopes: row.scopes,
    };
  }

  /** Ends the current session (runs inside the caller's transaction). */
  async logout(principal: Principal): Promise<void> {
    if (principal.via !== 'session' || !principal.sessionId) return;
    if (principal.kind === 'operator') {
      await this.db.sql('UPDATE operator_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
        principal.sessionId,
      ]);
    } else {
      await this.db.sql(
        'UPDATE sessions SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL',
        [principal.orgId, principal.sessionId],
      );
    }
    await this.audit.append({ action: 'auth.logout' });
  }

  /** Changing one's password ends every session and token of the user; the caller gets a new session. */
  async changePassword(principal: Principal, input: ChangePasswordInput, req: EnclaveRequest, res: Response): Promise<void> {
    if (principal.kind !== 'user' || principal.via !== 'session') {
      throw AppError.forbidden('change your password from a signed-in browser session');
    }
        const [user] = await this.db.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE org_id = $1 AND id = $2', [principal.orgId, principal.id]);
    if (!user || !(await verifyPassword(user.password_hash, input.currentPassword))) {
      throw new AppError('INVALID_CREDENTIALS', 'the current password is wrong');
    }
    const problem = passwordProblem(input.newPassword, { email: principal.email, name: principal.name });
    if (problem) throw new AppError('WEAK_PASSWORD', `newPassword: ${problem}`, [{ path: 'newPassword', message: problem }]);
    await this.db.sql(
      'UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now() WHERE org_id = $1 AND id = $2',
      [principal.orgId, principal.id, await hashPassword(input.newPassword)],
    );
    await revokeCredentials(this.db, principal.orgId!, principal.id);
    const secret = newSecret();
    const csrf = newSecret();
    await this.db.sql(
      `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        principal.orgId,
        principal.id,
        sha256(secret),
        sha256(csrf),
        new Date(Date.now() + this.config.session.absoluteSeconds * 1000),
        clientAddress(req),
        userAgent(req),
      ],
    );
    await this.audit.append({ action: 'auth.password_changed', targetType: 'user', targetId: principal.id });
    this.setSessionCookies(req, res, secret, csrf);
  }

  async createToken(principal: Principal, input: CreateTokenInput): Promise<TokenView & { token: string }> {
    if (principal.via !== 'session') throw AppError.forbidden('API tokens are created from a signed-in browser session');
    const token = TOKEN_PREFIX + newSecret();
    const expiresAt = new Date(Date.now() + input.expiresInDays * 86_400_000);
    const [row] = await this.db.sql<TokenDbRow>(
      `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, name, prefix, scopes, expires_at, last_used_at, revoked_at, created_at`,
      [principal.orgId, principal.id, input.name, token.slice(0, 12), sha256(token), input.scopes, expiresAt],
    );
    await this.audit.append({
      action: 'token.created',
      targetType: 'api_token',
      targetId: row!.id,
      details: { name: input.name, scopes: input.scopes, expiresAt: expiresAt.toISOString() },
    });
    return { ...tokenView(row!), token };
  }

  async listTokens(principal: Principal): Promise<Page<TokenView>> {
    const rows = await this.db.sql<TokenDbRow>(
      `SELECT id, name, prefix, scopes, expires_at, last_used_at, revoked_at, created_at
         FROM api_tokens WHERE org_id = $1 AND user_id = $2 ORDER BY created_at DESC LIMIT 500`,
      [principal.orgId, principal.id],
    );
    return { items: rows.map(tokenView), nextCursor: null };
  }

  async revokeToken(principal: Principal, tokenId: string): Promise<void> {
    const changed = await this.db.exec(
      `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
        WHERE org_id = $1 AND user_id = $2 AND id = $3`,
      [principal.orgId, principal.id, tokenId],
    );
    if (changed === 0) throw AppError.notFound('token');
    await this.audit.append({ action: 'token.revoked', targetType: 'api_token', targetId: tokenId });
  }
}

/** Ends every session and API token of a user (deactivation, password change). */
export async function revokeCredentials(db: Db, orgId: string, userId: string): Promise<void> {
  await db.exec('UPDATE sessions SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL', [
    orgId,
    userId,
  ]);
  await db.exec('UPDATE api_tokens SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL', [
    orgId,
    userId,
  ]);
}

interface TokenDbRow {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

function tokenView(r: TokenDbRow): TokenView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    expiresAt: r.expires_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}
