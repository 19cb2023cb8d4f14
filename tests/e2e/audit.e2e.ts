import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView, AuditVerifyResult, Page } from '@enclave/contracts';
import {
  asMigrator,
  auditEvents,
  CLI,
  createOperator,
  createOrg,
  createOrgViaApi,
  expectErrorShape,
  runCli,
  signIn,
  startApp,
  tamper,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client } from '../support/http';

/** The tamper-evident audit log: reading it, filtering and paging it, and proving it intact or not. */

let api: RunningApp;
let org: TestOrg;
let owner: Client;

beforeAll(async () => {
  api = await startApp();
  org = await createOrg(api);
  owner = await signIn(api.url, org.users.owner, { userAgent: 'e2e-audit-reader/1.0' });
});
afterAll(async () => {
  await api?.close();
});

async function page(client: Client, query: string): Promise<Page<AuditEventView>> {
  const res = await client.get(`/api/v1/audit${query}`);
  expect(res.status, res.toString()).toBe(200);
  return res.json<Page<AuditEventView>>();
}

/** The CLI against the database, its output (stdout then stderr) in one string. */
async function runAuditCli(
  args: string[],
  databaseUrl: string,
): Promise<{ code: number | null; out: string }> {
  const r = await runCli(args, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ENCLAVE_DEMO: '0' });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('reading the audit log', () => {
  it('records sign-ins with actor, target, time, client address, user agent and request id', async () => {
    const client = new Client(api.url, { userAgent: 'e2e-browser/2.0' });
    const res = await client.post(
      '/api/v1/auth/login',
      { email: org.users.manager.email, password: org.users.manager.password },
      {
        headers: { 'x-request-id': `login-${org.slug}` },
      },
    );
    expect(res.status).toBe(200);
    const [event] = await auditEvents(owner, { action: 'auth.login', actorId: org.users.manager.id });
    expect(event).toMatchObject({
      action: 'auth.login',
      outcome: 'success',
      actorType: 'user',
      actorId: org.users.manager.id,
      targetType: 'user',
      targetId: org.users.manager.id,
      ip: '127.0.0.1',
      userAgent: 'e2e-browser/2.0',
      requestId: `login-${org.slug}`,
    });
    expect(Math.abs(Date.parse(event!.occurredAt) - Date.now())).toBeLessThan(60_000);
    expect(event!.hash).toMatch(/^[0-9a-f]{64}$/);

    const failed = await new Client(api.url).post('/api/v1/auth/login', {
      email: org.users.manager.email,
      password: 'wrong password here',
    });
    expect(failed.status).toBe(401);
    const [failure] = await auditEvents(owner, { action: 'auth.login_failed' });
    expect(failure).toMatchObject({
      outcome: 'failure',
      actorType: 'anonymous',
      targetId: org.users.manager.id,
      requestId: failed.requestId,
    });
    // No password, not even a wrong one, is ever written down.
    expect(JSON.stringify(failure)).not.toContain('wrong password here');
  });

  it('filters by action, actor and outcome', async () => {
    const annotator = await signIn(api.url, org.users.annotator);
    expect((await annotator.get('/api/v1/users')).status).toBe(403);
    await signIn(api.url, org.users.reviewer);

    const logins = await auditEvents(owner, { action: 'auth.login' });
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(logins.every((e) => e.action === 'auth.login')).toBe(true);

    const byAnnotator = await auditEvents(owner, { actorId: org.users.annotator.id });
    expect(byAnnotator.map((e) => e.action).sort()).toEqual(['access.denied', 'auth.login']);

    const denied = await auditEvents(owner, { outcome: 'denied' });
    expect(denied.length).toBeGreaterThanOrEqual(1);
    expect(denied.every((e) => e.outcome === 'denied')).toBe(true);

    const combined = await auditEvents(owner, {
      action: 'auth.login',
      actorId: org.users.reviewer.id,
      outcome: 'success',
    });
    expect(combined).toHaveLength(1);
    expect(await auditEvents(owner, { action: 'auth.login', outcome: 'failure' })).toEqual([]);
    expect(await auditEvents(owner, { action: 'no.such_action' })).toEqual([]);
  });

  it('pages newest first with limit and cursor, each event once', async () => {
    const all = await auditEvents(owner);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const first = await page(owner, '?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.items.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const second = await page(owner, `?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Page<AuditEventView> = await page(
        owner,
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      walked.push(...p.items.map((e) => e.id));
      cursor = p.nextCursor;
    } while (cursor && walked.length < 1000);
    // Each event once, newest first, down to the first event: the same list as one page of 500.
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(all.map((e) => e.id));
    // Within a lane, newer events carry higher numbers, down to 1.
    const byLane = new Map<number, number[]>();
    for (const e of all) byLane.set(e.lane, [...(byLane.get(e.lane) ?? []), e.seq]);
    for (const seqs of byLane.values())
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs.length - i));
    // A filtered list pages too.
    const logins = await page(owner, '?action=auth.login&limit=1');
    expect(logins.nextCursor).not.toBeNull();
    const more = await page(
      owner,
      `?action=auth.login&limit=1&cursor=${encodeURIComponent(logins.nextCursor!)}`,
    );
    expect(more.items[0]!.action).toBe('auth.login');
    const at = (id: string) => all.findIndex((e) => e.id === id);
    expect(at(more.items[0]!.id)).toBeGreaterThan(at(logins.items[0]!.id));
  });

  it('refuses a bad cursor and bad filters with 400', async () => {
    const forged = Buffer.from('seq:1 OR 1=1').toString('base64url');
    for (const q of [
      '?cursor=garbage',
      `?cursor=${forged}`,
      `?cursor=${'A'.repeat(300)}`,
      '?limit=0',
      '?limit=501',
      '?limit=abc',
      '?limit=2.5',
      '?actorId=not-a-uuid',
      '?outcome=maybe',
      "?action=auth.login'--",
      '?action=AUTH.LOGIN',
      '?orderBy=seq',
      '?action=auth.login&action=auth.logout',
    ]) {
      const res = await owner.get(`/api/v1/audit${q}`);
      expectErrorShape(res, 400);
      expect(['INVALID_PARAMETER', 'VALIDATION_FAILED'], q).toContain(res.error.code);
    }
  });

  it('is refused to managers, reviewers and annotators', async () => {
    for (const role of ['manager', 'reviewer', 'annotator'] as const) {
      const client = await signIn(api.url, org.users[role]);
      expectErrorShape(await client.get('/api/v1/audit'), 403, 'FORBIDDEN');
      expectErrorShape(await client.get('/api/v1/audit/verify'), 403, 'FORBIDDEN');
    }
    const admin = await signIn(api.url, org.users.admin);
    expect((await admin.get('/api/v1/audit')).status).toBe(200);
  });

  it("shows only the caller's organization", async () => {
    const other = await createOrg(api);
    await signIn(api.url, other.users.admin);
    const events = await auditEvents(owner);
    expect(events.some((e) => e.actorId === other.users.admin.id)).toBe(false);
    expect(events.every((e) => !JSON.stringify(e).includes(other.orgId))).toBe(true);
  });
});

describe('verifying the chain', () => {
  it('answers valid with the number of events checked', async () => {
    const before = await auditEvents(owner);
    const res = await owner.get('/api/v1/audit/verify');
    expect(res.status, res.toString()).toBe(200);
    const result = res.json<AuditVerifyResult>();
    expect(result.valid).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(before.length);
    expect(result.checked).toBe((await auditEvents(owner)).length);
  });

  it('names the first broken link after a superuser edits an event behind the API, over HTTP and in the CLI', async () => {
    expect(fs.existsSync(CLI), `build the API first: ${CLI}`).toBe(true);
    const operator = await signIn(api.url, await createOperator(api.migratorUrl));
    const victim = await createOrgViaApi(operator);
    const intact = await createOrgViaApi(operator);
    const victimOwner = await signIn(api.url, victim.owner);
    expect((await victimOwner.get('/api/v1/audit/verify')).json<AuditVerifyResult>()).toMatchObject({
      valid: true,
    });

    // The API role can neither update nor delete audit events...
    const appRole = await asMigrator<{ can: boolean }>(
      api.migratorUrl,
      "SELECT has_table_privilege('enclave_app', 'audit_events', 'UPDATE') AS can",
    );
    expect(appRole[0]!.can).toBe(false);
    // ...and even the owner is stopped by the trigger; only a superuser switching triggers off gets through.
    // The owner's own lane gets a second event from a second sign-in; its second event is the victim.
    await signIn(api.url, victim.owner);
    const [{ lane }] = (await asMigrator<{ lane: number }>(
      api.migratorUrl,
      `SELECT lane FROM audit_events WHERE org_id = $1 GROUP BY lane HAVING max(seq) >= 2 ORDER BY lane LIMIT 1`,
      [victim.id],
    )) as [{ lane: number }];
    await expect(
      asMigrator(
        api.migratorUrl,
        `UPDATE audit_events SET details = '{"x":1}' WHERE org_id = $1 AND lane = $2 AND seq = 2`,
        [victim.id, lane],
      ),
    ).rejects.toThrow(/append-only/);
    await tamper(
      api.migratorUrl,
      `UPDATE audit_events SET details = '{"x":1}' WHERE org_id = $1 AND lane = $2 AND seq = 2`,
      [victim.id, lane],
    );

    const broken = await victimOwner.get('/api/v1/audit/verify');
    expect(broken.status).toBe(200);
    expect(broken.json<AuditVerifyResult>()).toMatchObject({ valid: false, lane, brokenAt: 2 });
    const intactOwner = await signIn(api.url, intact.owner);
    expect((await intactOwner.get('/api/v1/audit/verify')).json<AuditVerifyResult>()).toMatchObject({
      valid: true,
    });

    const [bad, good] = await Promise.all([
      runAuditCli(['audit:verify', '--org', victim.slug], api.migratorUrl),
      runAuditCli(['audit:verify', '--org', intact.slug], api.migratorUrl),
    ]);
    expect(bad.code, bad.out).toBe(1);
    expect(bad.out).toMatch(new RegExp(`lane ${lane}, event 2\\b`));
    expect(bad.out).toContain(victim.slug);
    expect(good.code, good.out).toBe(0);
    expect(good.out).toMatch(/valid/);
    const unknown = await runAuditCli(['audit:verify', '--org', 'no-such-org'], api.migratorUrl);
    expect(unknown.code, unknown.out).not.toBe(0);
    expect(unknown.out).toContain('no-such-org');
  });

  it('detects a deleted event as a gap in the chain', async () => {
    const fresh = await createOrg(api);
    const admin = await signIn(api.url, fresh.users.admin);
    await signIn(api.url, fresh.users.admin);
    await signIn(api.url, fresh.users.admin);
    // Three sign-ins of one person, one after the other, land in one lane (docs/security.md): delete the middle one.
    const [{ lane }] = (await asMigrator<{ lane: number }>(
      api.migratorUrl,
      `SELECT lane FROM audit_events WHERE org_id = $1 GROUP BY lane HAVING max(seq) >= 3 ORDER BY lane LIMIT 1`,
      [fresh.orgId],
    )) as [{ lane: number }];
    await tamper(api.migratorUrl, 'DELETE FROM audit_events WHERE org_id = $1 AND lane = $2 AND seq = 2', [
      fresh.orgId,
      lane,
    ]);
    expect((await admin.get('/api/v1/audit/verify')).json<AuditVerifyResult>()).toMatchObject({
      valid: false,
      lane,
      brokenAt: 2,
      reason: `lane ${lane}: event 2 is missing`,
    });
  });
});
