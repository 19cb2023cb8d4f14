import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Db } from '../db/tenant';

function keyHash(kind: 'account' | 'address', value: string): Buffer {
  return createHash('sha256').update(`${kind}:${value}`).digest();
}

/**
 * Login throttling per account and per client address, kept in PostgreSQL so that every API replica
 * counts the same failures. Keys are hashed: the table holds no e-mail and no address.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seconds until the caller may try again, or 0. */
  async retryAfter(email: string, address: string | null): Promise<number> {
    const keys = [keyHash('account', email)];
    if (address) keys.push(keyHash('address', address));
    const rows = await this.db.preTenant<{ wait: string | null }>(
      `SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS wait
         FROM auth_throttle WHERE key_hash = ANY($1) AND blocked_until > now()`,
      [keys],
    );
    return Math.max(0, Number(rows[0]?.wait ?? 0));
  }

  async recordFailure(email: string, address: string | null): Promise<void> {
    const { windowSeconds, maxPerAccount, maxPerAddress } = this.config.throttle;
    const entries: [Buffer, number][] = [[keyHash('account', email), maxPerAccount]];
    if (address) entries.push([keyHash('address', address), maxPerAddress]);
    for (const [key, max] of entries) {
      await this.db.preTenant(
        `INSERT INTO auth_throttle AS t (key_hash, failures, window_started_at, blocked_until)
              VALUES ($1, 1, now(), CASE WHEN $3::int <= 1 THEN now() + make_interval(secs => $2) END)
         ON CONFLICT (key_hash) DO UPDATE SET
           failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now()
                                    ELSE t.window_started_at END,
           blocked_until = CASE
             WHEN (CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END) >= $3
             THEN now() + make_interval(secs => $2)
             ELSE t.blocked_until END`,
        [key, windowSeconds, max],
      );
    }
    // About one failure in a hundred sweeps expired counters, so the table stays small under attack.
    if (Math.random() < 0.01) await this.prune();
  }

  /** Forgets counters whose window and block are long over; called now and then, never on every request. */
  async prune(): Promise<void> {
    await this.db.preTenant(
      `DELETE FROM auth_throttle
        WHERE window_started_at < now() - make_interval(secs => $1 * 2)
          AND (blocked_until IS NULL OR blocked_until < now())`,
      [this.config.throttle.windowSeconds],
    );
  }

  /** A successful sign-in clears the account's count (never the address's: one good account must not unlock guessing). */
  async recordSuccess(email: string): Promise<void> {
    await this.db.preTenant('DELETE FROM auth_throttle WHERE key_hash = $1', [keyHash('account', email)]);
  }
}
