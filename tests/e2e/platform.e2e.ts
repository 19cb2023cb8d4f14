import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgView, Page, UserView } from '@enclave/contracts';
import {
  auditEvents,
  createOperator,
  createOrg,
  createOrgViaApi,
  expectDenialAudited,
  expectErrorShape,
  me,
  signIn,
  startApp,
  type Operator,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client } from '../support/http';

/** The operator runs the instance: organizations, never their contents. */
let api: RunningApp;
let operatorLogin: Operator;
let operator: Client;
let org: TestOrg;

beforeAll(async () => {
  api = await startApp();
  [operatorLogin, org] = await Promise.all([createOperator(api.migratorUrl), createOrg(api)]);
  operator = await signIn(api.url, operatorLogin);
});
afterAll(async () => {
  await api?.close();
});

const slug = () => `p-${randomBytes(5).toString('hex')}`;

async function allOrgs(client: Client): Promise<OrgView[]> {
  const out: OrgView[] = [];
  let cursor: string | null = null;
  do {
    const res = await client.get(`/api/v1/platform/orgs?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.toString()).toBe(200);
    const page = res.json<Page<OrgView>>();
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('organizations', () => {
  it('are created by the operator with their first owner, who can sign in', async () => {
    const s = slug();
    const created = await createOrgViaApi(operator, { slug: s, name: 'Acme Research' });
    expect(created).toMatchObject({ name: 'Acme Research', slug: s, status: 'active' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);

    const owner = await signIn(api.url, created.owner);
    expect(await me(owner)).toMatchObject({ role: 'owner', orgId: created.id, email: created.owner.email });
    const users = (await owner.get('/api/v1/users')).json<Page<UserView>>();
    expect(users.items.map((u) => [u.email, u.role])).toEqual([[created.owner.email, 'owner']]);
    // The new organization's chain starts with its creation, recorded as the operator's action.
    const events = await auditEvents(owner);
    const createdEvent = events.find((e) => e.action === 'org.created');
    expect(createdEvent).toMatchObject({
      actorType: 'operator',
      actorId: operatorLogin.id,
      targetId: created.id,
      seq: 1,
    });
    expect(events.some((e) => e.action === 'user.created' && e.details.role === 'owner')).toBe(true);
    const verify = await owner.get('/api/v1/audit/verify');
    expect(verify.json()).toMatchObject({ valid: true });
  });

  it('are listed with names, slugs, status and user counts, and nothing of their contents', async () => {
    const created = await createOrgViaApi(operator);
    const orgs = await allOrgs(operator);
    const listed = orgs.find((o) => o.id === created.id);
    expect(listed).toMatchObject({
      id: created.id,
      slug: created.slug,
      name: created.name,
      status: 'active',
      userCount: 1,
    });
    expect(orgs.find((o) => o.id === org.orgId)).toMatchObject({ slug: org.slug, userCount: 5 });
    const text = JSON.stringify(orgs);
    expect(text).not.toContain(org.users.owner.email);
    expect(text).not.toContain('password');
    // Pagination walks every organization exactly once.
    const first = (await operator.get('/api/v1/platform/orgs?limit=1')).json<Page<OrgView>>();
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = (await operator.get(`/api/v1/platform/orgs?limit=1&cursor=${first.nextCursor}`)).json<
      Page<OrgView>
    >();
    expect(second.items[0]!.slug > first.items[0]!.slug).toBe(true);
    expectErrorShape(await operator.get('/api/v1/platform/orgs?cursor=bm9wZQ'), 400, 'INVALID_PARAMETER');
  });

  it('refuse a duplicate slug with 409 and change nothing', async () => {
    const created = await createOrgViaApi(operator);
    const res = await operator.post('/api/v1/platform/orgs', {
      name: 'Copycat',
      slug: created.slug,
      owner: {
        email: `copycat.${created.slug}@example.test`,
        name: 'Copycat',
        password: 'copycat passphrase here',
      },
    });
    expectErrorShape(res, 409, 'SLUG_TAKEN');
    // Other test files create organizations meanwhile: look for this one, not at the count.
    expect((await allOrgs(operator)).filter((o) => o.slug === created.slug).map((o) => o.name)).toEqual([
      created.name,
    ]);
    expect((await allOrgs(operator)).some((o) => o.name === 'Copycat')).toBe(false);
    // The refused owner e-mail was not reserved by the failed attempt.
    await createOrgViaApi(operator, {
      owner: {
        email: `copycat.${created.slug}@example.test`,
        name: 'Copycat',
        password: 'copycat passphrase here',
      },
    });
  });

  it('refuse an owner e-mail that already has an account with 409 EMAIL_TAKEN', async () => {
    for (const taken of [
      org.users.annotator.email,
      operatorLogin.email,
      org.users.owner.email.toUpperCase(),
    ]) {
      const s = slug();
      const res = await operator.post('/api/v1/platform/orgs', {
        name: 'Taken',
        slug: s,
        owner: { email: taken, name: 'Someone', password: 'taken email passphrase' },
      });
      expectErrorShape(res, 409, 'EMAIL_TAKEN');
      expect(res.error.details[0]?.path).toBe('owner.email');
      // Nothing half-written: the slug is still free.
      expect((await allOrgs(operator)).some((o) => o.slug === s)).toBe(false);
    }
    // The existing user still signs in with their own password.
    await signIn(api.url, org.users.annotator);
  });

  it('refuse a weak owner password and a malformed body', async () => {
    const weak = await operator.post('/api/v1/platform/orgs', {
      name: 'Weak',
      slug: slug(),
      owner: { email: `weak.${slug()}@example.test`, name: 'Weak', password: 'password1234' },
    });
    expectErrorShape(weak, 400, 'WEAK_PASSWORD');
    for (const body of [
      {
        name: 'Bad slug',
        slug: 'Has Spaces',
        owner: { email: `a.${slug()}@example.test`, name: 'A', password: 'good passphrase here' },
      },
      {
        name: 'Bad mail',
        slug: slug(),
        owner: { email: 'not-an-email', name: 'A', password: 'good passphrase here' },
      },
      {
        name: 'Extra',
        slug: slug(),
        status: 'active',
        owner: { email: `a.${slug()}@example.test`, name: 'A', password: 'good passphrase here' },
      },
      {
        name: 'Extra owner field',
        slug: slug(),
        owner: {
          email: `a.${slug()}@example.test`,
          name: 'A',
          password: 'good passphrase here',
          role: 'admin',
        },
      },
      { name: 'No owner', slug: slug() },
    ]) {
      const res = await operator.post('/api/v1/platform/orgs', body);
      expectErrorShape(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('are suspended by the operator: their users cannot sign in and their sessions and tokens stop; reactivation restores sign-in', async () => {
    const target = await createOrg(api);
    const owner = await signIn(api.url, target.users.owner);
    const tokenRes = await owner.post('/api/v1/auth/tokens', { name: 'before suspension' });
    const token = Client.withToken(api.url, tokenRes.json<{ token: string }>().token);
    const bystander = await signIn(api.url, org.users.owner);

    const suspended = await operator.patch(`/api/v1/platform/orgs/${target.orgId}`, { status: 'suspended' });
    expect(suspended.status, suspended.toString()).toBe(200);
    expect(suspended.json<OrgView>()).toMatchObject({ id: target.orgId, status: 'suspended' });
    expect((await allOrgs(operator)).find((o) => o.id === target.orgId)?.status).toBe('suspended');

    expectErrorShape(await owner.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectErrorShape(await token.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    const login = await new Client(api.url).post('/api/v1/auth/login', {
      email: target.users.admin.email,
      password: target.users.admin.password,
    });
    expectErrorShape(login, 403, 'FORBIDDEN');
    expect(login.error.message).toMatch(/suspended/);
    expect(login.setCookies).toEqual([]);
    // Other organizations carry on.
    expect((await bystander.get('/api/v1/auth/me')).status).toBe(200);

    const again = await operator.patch(`/api/v1/platform/orgs/${target.orgId}`, { status: 'suspended' });
    expect(again.status).toBe(200);

    const reactivated = await operator.patch(`/api/v1/platform/orgs/${target.orgId}`, { status: 'active' });
    expect(reactivated.json<OrgView>().status).toBe('active');
    const admin = await signIn(api.url, target.users.admin);
    const events = (await auditEvents(admin)).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['org.suspended', 'org.reactivated']));
    expect(events.indexOf('org.reactivated')).toBeLessThan(events.indexOf('org.suspended'));
  });

  it('answer 404 for an unknown organization id and 400 for a malformed one or status', async () => {
    expectErrorShape(
      await operator.patch('/api/v1/platform/orgs/00000000-0000-4000-8000-000000000000', {
        status: 'suspended',
      }),
      404,
      'NOT_FOUND',
    );
    expectErrorShape(
      await operator.patch('/api/v1/platform/orgs/acme', { status: 'suspended' }),
      400,
      'INVALID_PARAMETER',
    );
    expectErrorShape(
      await operator.patch(`/api/v1/platform/orgs/${org.orgId}`, { status: 'deleted' }),
      400,
      'VALIDATION_FAILED',
    );
    expectErrorShape(
      await operator.patch(`/api/v1/platform/orgs/${org.orgId}`, { status: 'active', name: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('the platform is the operator’s only', () => {
  it('answers 403 to every organization role, owners included, and audits it', async () => {
    for (const role of ['owner', 'admin', 'annotator'] as const) {
      const client = await signIn(api.url, org.users[role]);
      const list = await client.get('/api/v1/platform/orgs');
      expectErrorShape(list, 403, 'FORBIDDEN');
      const create = await client.post('/api/v1/platform/orgs', {
        name: 'Rogue',
        slug: slug(),
        owner: { email: `rogue.${slug()}@example.test`, name: 'Rogue', password: 'rogue passphrase here' },
      });
      expectErrorShape(create, 403, 'FORBIDDEN');
      const suspend = await client.patch(`/api/v1/platform/orgs/${org.orgId}`, { status: 'suspended' });
      expectErrorShape(suspend, 403, 'FORBIDDEN');
      if (role === 'owner') {
        const reader = client;
        for (const res of [list, create, suspend]) await expectDenialAudited(reader, res.requestId, 403);
      }
    }
    expect((await allOrgs(operator)).find((o) => o.id === org.orgId)?.status).toBe('active');
  });
});

describe("the operator sees no tenant's data", () => {
  it('is refused the users and the audit log of organizations', async () => {
    expectErrorShape(await operator.get('/api/v1/users'), 403, 'FORBIDDEN');
    expectErrorShape(await operator.get(`/api/v1/users/${org.users.owner.id}`), 403, 'FORBIDDEN');
    expectErrorShape(await operator.get('/api/v1/audit'), 403, 'FORBIDDEN');
    expectErrorShape(await operator.get('/api/v1/audit/verify'), 403, 'FORBIDDEN');
    expectErrorShape(
      await operator.post('/api/v1/users', {
        email: `op.${slug()}@example.test`,
        name: 'x',
        role: 'owner',
        password: 'operator made user',
      }),
      403,
      'FORBIDDEN',
    );
    expectErrorShape(
      await operator.patch(`/api/v1/users/${org.users.owner.id}`, { status: 'disabled' }),
      403,
      'FORBIDDEN',
    );
    // The owner is untouched.
    await signIn(api.url, org.users.owner);
  });
});
