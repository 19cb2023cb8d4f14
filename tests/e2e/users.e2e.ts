import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgRole, Page, UserView } from '@enclave/contracts';
import {
  auditEvents,
  createOrg,
  expectDenialAudited,
  expectErrorShape,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client, type HttpResponse } from '../support/http';

/** People of an organization: who may see, create and change whom, and what a change ends. */
let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
    as[role] = await signIn(api.url, org.users[role]);
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'new user e2e passphrase';
const newEmail = (tag: string) => `${tag}.${randomBytes(4).toString('hex')}.${org.slug}@example.test`;

async function createUser(
  by: Client,
  role: OrgRole,
  tag: string = role,
): Promise<UserView & { password: string }> {
  const res = await by.post('/api/v1/users', {
    email: newEmail(tag),
    name: `New ${tag}`,
    role,
    password: PASSWORD,
  });
  expect(res.status, res.toString()).toBe(201);
  return { ...res.json<UserView>(), password: PASSWORD };
}

/** 403, and the denial is in the organization's audit log. */
async function expectDenied(res: HttpResponse, code = 'FORBIDDEN'): Promise<void> {
  expectErrorShape(res, 403, code);
  await expectDenialAudited(as.owner, res.requestId, 403);
}

describe('listing users', () => {
  it('is open to managers and above, and shows the directory of the organization only', async () => {
    for (const role of ['owner', 'admin', 'manager'] as const) {
      const res = await as[role].get('/api/v1/users');
      expect(res.status, `${role}: ${res.toString()}`).toBe(200);
      const page = res.json<Page<UserView>>();
      const emails = page.items.map((u) => u.email);
      for (const u of Object.values(org.users)) expect(emails).toContain(u.email);
      for (const u of Object.values(other.users)) expect(emails).not.toContain(u.email);
      for (const item of page.items) {
        expect(Object.keys(item).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'role', 'status']);
      }
    }
  });

  it('is refused to reviewers and annotators, audited', async () => {
    await expectDenied(await as.reviewer.get('/api/v1/users'));
    await expectDenied(await as.annotator.get('/api/v1/users'));
  });

  it('pages with limit and cursor, each user once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResponse = await as.admin.get(
        `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, res.toString()).toBe(200);
      const page = res.json<Page<UserView>>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expectErrorShape(await as.admin.get('/api/v1/users?cursor=%25%25%25'), 400, 'INVALID_PARAMETER');
  });

  it('lets anybody read themselves but not others below manager', async () => {
    const self = await as.annotator.get(`/api/v1/users/${org.users.annotator.id}`);
    expect(self.status).toBe(200);
    await expectDenied(await as.annotator.get(`/api/v1/users/${org.users.reviewer.id}`));
  });
});

describe('creating users', () => {
  it('lets an admin create staff, who can then sign in', async () => {
    for (const role of ['annotator', 'reviewer', 'manager'] as const) {
      const created = await createUser(as.admin, role);
      expect(created).toMatchObject({ role, status: 'active' });
      expect(created).not.toHaveProperty('password_hash');
      expect(created).not.toHaveProperty('passwordHash');
      if (role === 'annotator') await signIn(api.url, created);
    }
    const events = await auditEvents(as.owner, { action: 'user.created', actorId: org.users.admin.id });
    expect(events.length).toBe(3);
  });

  it('refuses an admin creating an admin or an owner', async () => {
    for (const role of ['admin', 'owner'] as const) {
      await expectDenied(
        await as.admin.post('/api/v1/users', { email: newEmail(role), name: 'x', role, password: PASSWORD }),
      );
    }
  });

  it('refuses managers, reviewers and annotators creating anyone', async () => {
    for (const by of ['manager', 'reviewer', 'annotator'] as const) {
      await expectDenied(
        await as[by].post('/api/v1/users', {
          email: newEmail('x'),
          name: 'x',
          role: 'annotator',
          password: PASSWORD,
        }),
      );
    }
  });

  it('lets an owner create an admin and another owner', async () => {
    const admin = await createUser(as.owner, 'admin');
    expect(admin.role).toBe('admin');
    const owner = await createUser(as.owner, 'owner', 'second-owner');
    expect(owner.role).toBe('owner');
    // Disabling them again keeps the rest of the file's owner rules simple.
    for (const u of [admin, owner])
      expect((await as.owner.patch(`/api/v1/users/${u.id}`, { status: 'disabled' })).status).toBe(200);
  });

  it('refuses an e-mail that already has an account, in this or any organization', async () => {
    for (const email of [
      org.users.reviewer.email,
      other.users.owner.email,
      org.users.reviewer.email.toUpperCase(),
    ]) {
      const res = await as.owner.post('/api/v1/users', {
        email,
        name: 'Dup',
        role: 'annotator',
        password: PASSWORD,
      });
      expectErrorShape(res, 409, 'EMAIL_TAKEN');
    }
  });

  it('refuses unknown fields such as orgId, naming the field', async () => {
    const res = await as.owner.post('/api/v1/users', {
      email: newEmail('mass'),
      name: 'Mass assignment',
      role: 'annotator',
      password: PASSWORD,
      orgId: other.orgId,
    });
    expectErrorShape(res, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(res.error.details)).toContain('orgId');
    for (const extra of [
      { status: 'active' },
      { id: org.users.owner.id },
      { passwordHash: 'x' },
      { createdAt: '2020-01-01' },
    ]) {
      const r = await as.owner.post('/api/v1/users', {
        email: newEmail('mass'),
        name: 'x',
        role: 'annotator',
        password: PASSWORD,
        ...extra,
      });
      expectErrorShape(r, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(r.error.details)).toContain(Object.keys(extra)[0]!);
    }
  });

  it('validates e-mail, role, name and password', async () => {
    const cases: [Record<string, unknown>, number, string, string][] = [
      [
        { email: 'nope', name: 'x', role: 'annotator', password: PASSWORD },
        400,
        'VALIDATION_FAILED',
        'email',
      ],
      [
        { email: newEmail('r'), name: 'x', role: 'operator', password: PASSWORD },
        400,
        'VALIDATION_FAILED',
        'role',
      ],
      [
        { email: newEmail('r'), name: '', role: 'annotator', password: PASSWORD },
        400,
        'VALIDATION_FAILED',
        'name',
      ],
      [
        { email: newEmail('r'), name: 'x', role: 'annotator', password: 'short' },
        400,
        'VALIDATION_FAILED',
        'password',
      ],
      [
        { email: newEmail('r'), name: 'x', role: 'annotator', password: 'password123456' },
        400,
        'WEAK_PASSWORD',
        'password',
      ],
    ];
    for (const [body, status, code, path] of cases) {
      const res = await as.owner.post('/api/v1/users', body);
      expectErrorShape(res, status, code);
      expect(res.error.details.map((d) => d.path)).toContain(path);
    }
  });
});

describe('changing users', () => {
  it('lets an admin rename, promote within staff and disable staff', async () => {
    const u = await createUser(as.admin, 'annotator', 'staff');
    const res = await as.admin.patch(`/api/v1/users/${u.id}`, { name: 'Promoted', role: 'manager' });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<UserView>()).toMatchObject({ name: 'Promoted', role: 'manager' });
    const events = await auditEvents(as.owner, { action: 'user.role_changed' });
    expect(events.find((e) => e.targetId === u.id)?.details).toMatchObject({
      changes: { role: { from: 'annotator', to: 'manager' } },
    });
  });

  it('refuses an admin making an admin or changing an owner or an admin', async () => {
    await expectDenied(await as.admin.patch(`/api/v1/users/${org.users.manager.id}`, { role: 'admin' }));
    await expectDenied(await as.admin.patch(`/api/v1/users/${org.users.manager.id}`, { role: 'owner' }));
    await expectDenied(await as.admin.patch(`/api/v1/users/${org.users.owner.id}`, { status: 'disabled' }));
    await expectDenied(
      await as.admin.patch(`/api/v1/users/${org.users.owner.id}`, { name: 'Renamed owner' }),
    );
    const otherAdmin = await createUser(as.owner, 'admin', 'peer-admin');
    await expectDenied(await as.admin.patch(`/api/v1/users/${otherAdmin.id}`, { status: 'disabled' }));
    const manager = await as.owner.get(`/api/v1/users/${org.users.manager.id}`);
    expect(manager.json<UserView>().role).toBe('manager');
  });

  it('refuses anybody raising their own role', async () => {
    await expectDenied(await as.admin.patch(`/api/v1/users/${org.users.admin.id}`, { role: 'owner' }));
    await expectDenied(await as.manager.patch(`/api/v1/users/${org.users.manager.id}`, { role: 'admin' }));
    await expectDenied(
      await as.annotator.patch(`/api/v1/users/${org.users.annotator.id}`, { role: 'reviewer' }),
    );
    const me = await as.owner.get(`/api/v1/users/${org.users.admin.id}`);
    expect(me.json<UserView>().role).toBe('admin');
  });

  it('refuses managers and below changing anyone', async () => {
    for (const by of ['manager', 'reviewer', 'annotator'] as const) {
      await expectDenied(await as[by].patch(`/api/v1/users/${org.users.annotator.id}`, { name: 'nope' }));
    }
  });

  it('keeps the last active owner: no disabling or demoting until a second owner exists', async () => {
    const fresh = await createOrg(api);
    const owner = await signIn(api.url, fresh.users.owner);
    const self = `/api/v1/users/${fresh.users.owner.id}`;
    expectErrorShape(await owner.patch(self, { status: 'disabled' }), 409, 'LAST_OWNER');
    expectErrorShape(await owner.patch(self, { role: 'admin' }), 409, 'LAST_OWNER');
    expect((await owner.get('/api/v1/auth/me')).status).toBe(200);

    // A disabled second owner does not count.
    const second = await owner.post('/api/v1/users', {
      email: `owner2.${fresh.slug}@example.test`,
      name: 'Second owner',
      role: 'owner',
      password: PASSWORD,
    });
    expect(second.status).toBe(201);
    const secondId = second.json<UserView>().id;
    expect((await owner.patch(`/api/v1/users/${secondId}`, { status: 'disabled' })).status).toBe(200);
    expectErrorShape(await owner.patch(self, { role: 'admin' }), 409, 'LAST_OWNER');

    expect((await owner.patch(`/api/v1/users/${secondId}`, { status: 'active' })).status).toBe(200);
    const demoted = await owner.patch(self, { role: 'admin' });
    expect(demoted.status, demoted.toString()).toBe(200);
    expect(demoted.json<UserView>().role).toBe('admin');

    // Now the second owner is the last one.
    const secondOwner = await signIn(api.url, {
      email: `owner2.${fresh.slug}@example.test`,
      password: PASSWORD,
    });
    expectErrorShape(
      await secondOwner.patch(`/api/v1/users/${secondId}`, { status: 'disabled' }),
      409,
      'LAST_OWNER',
    );
    expectErrorShape(
      await secondOwner.patch(`/api/v1/users/${secondId}`, { role: 'manager' }),
      409,
      'LAST_OWNER',
    );
  });

  it('lets only one of two owners demoting each other at once succeed', async () => {
    const fresh = await createOrg(api);
    const a = await signIn(api.url, fresh.users.owner);
    const created = await a.post('/api/v1/users', {
      email: `rival.${fresh.slug}@example.test`,
      name: 'Rival',
      role: 'owner',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const bId = created.json<UserView>().id;
    const b = await signIn(api.url, { email: `rival.${fresh.slug}@example.test`, password: PASSWORD });
    const [ab, ba] = await Promise.all([
      a.patch(`/api/v1/users/${bId}`, { role: 'admin' }),
      b.patch(`/api/v1/users/${fresh.users.owner.id}`, { role: 'admin' }),
    ]);
    const statuses = [ab.status, ba.status].sort();
    // One wins; the other is refused: 403 when the winner's change had already made the loser an admin
    // as they signed the request in, 409 when it had not, or 503 (retry) when the database broke a lock cycle.
    expect(statuses[0], `${ab.toString()} | ${ba.toString()}`).toBe(200);
    expect([403, 409, 503], `${ab.toString()} | ${ba.toString()}`).toContain(statuses[1]);
    const owners = (await (ab.status === 200 ? a : b).get('/api/v1/users'))
      .json<Page<UserView>>()
      .items.filter((u) => u.role === 'owner' && u.status === 'active');
    expect(owners).toHaveLength(1);
  });

  it('ends the sessions and tokens of a user who is disabled, and keeps them out', async () => {
    const u = await createUser(as.admin, 'annotator', 'leaver');
    const session = await signIn(api.url, u);
    const tokenRes = await session.post('/api/v1/auth/tokens', { name: 'leaver token' });
    expect(tokenRes.status).toBe(201);
    const token = Client.withToken(api.url, tokenRes.json<{ token: string }>().token);
    expect((await token.get('/api/v1/auth/me')).status).toBe(200);

    const res = await as.admin.patch(`/api/v1/users/${u.id}`, { status: 'disabled' });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<UserView>().status).toBe('disabled');

    expectErrorShape(await session.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectErrorShape(await token.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    const login = await new Client(api.url).post('/api/v1/auth/login', {
      email: u.email,
      password: u.password,
    });
    expectErrorShape(login, 403, 'FORBIDDEN');
    expect(login.error.message).toMatch(/disabled/);
    expect(login.setCookies).toEqual([]);

    // Enabling them again does not bring the old credentials back.
    expect((await as.admin.patch(`/api/v1/users/${u.id}`, { status: 'active' })).status).toBe(200);
    expectErrorShape(await session.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectErrorShape(await token.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    await signIn(api.url, u);

    const actions = (await auditEvents(as.owner, { actorId: org.users.admin.id }))
      .filter((e) => e.targetId === u.id)
      .map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it("answers 404 for another tenant's user id, changes nothing there, and audits the attempt", async () => {
    const target = other.users.annotator.id;
    const read = await as.owner.get(`/api/v1/users/${target}`);
    expectErrorShape(read, 404, 'NOT_FOUND');
    const write = await as.owner.patch(`/api/v1/users/${target}`, { status: 'disabled' });
    expectErrorShape(write, 404, 'NOT_FOUND');
    // Same answer as an id that exists nowhere.
    const nowhere = await as.owner.patch('/api/v1/users/6f1c2d3e-4b5a-4c6d-8e7f-901234567890', {
      status: 'disabled',
    });
    expect(nowhere.error.message).toBe(write.error.message);
    await expectDenialAudited(as.owner, read.requestId, 404);
    await expectDenialAudited(as.owner, write.requestId, 404);
    await signIn(api.url, other.users.annotator);
    // The other organization's log shows nothing of it.
    const otherEvents = await auditEvents(await signIn(api.url, other.users.owner));
    expect(otherEvents.some((e) => e.requestId === write.requestId)).toBe(false);
  });

  it('answers 400 for an id that is not a UUID, and for an empty or unknown-field body', async () => {
    for (const id of ['123', 'not-a-uuid', `${org.users.annotator.id}x`, "1' OR '1'='1"]) {
      const res = await as.owner.patch(`/api/v1/users/${encodeURIComponent(id)}`, { name: 'x' });
      expectErrorShape(res, 400, 'INVALID_PARAMETER');
      expectErrorShape(
        await as.owner.get(`/api/v1/users/${encodeURIComponent(id)}`),
        400,
        'INVALID_PARAMETER',
      );
    }
    expectErrorShape(
      await as.owner.patch(`/api/v1/users/${org.users.annotator.id}`, {}),
      400,
      'VALIDATION_FAILED',
    );
    for (const extra of ['orgId', 'email', 'id', 'passwordHash', 'createdAt']) {
      const res = await as.owner.patch(`/api/v1/users/${org.users.annotator.id}`, {
        name: 'x',
        [extra]: 'y',
      });
      expectErrorShape(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(res.error.details)).toContain(extra);
    }
    expectErrorShape(
      await as.owner.patch(`/api/v1/users/${org.users.annotator.id}`, { status: 'deleted' }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('denials', () => {
  it('land in the audit log as access.denied with who, what, where and the request id', async () => {
    const ua = 'e2e-denial-probe/1.0';
    const res = await as.annotator.get('/api/v1/users', { headers: { 'user-agent': ua } });
    expectErrorShape(res, 403, 'FORBIDDEN');
    const event = await expectDenialAudited(as.owner, res.requestId, 403);
    expect(event).toMatchObject({
      action: 'access.denied',
      outcome: 'denied',
      actorType: 'user',
      actorId: org.users.annotator.id,
      userAgent: ua,
      ip: '127.0.0.1',
    });
    expect(event.targetId).toContain('/api/v1/users');
    expect(event.details).toMatchObject({ code: 'FORBIDDEN', path: '/api/v1/users' });
  });
});
