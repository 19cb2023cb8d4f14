import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse, Page, TokenView, UserView } from '@enclave/contracts';
import {
  asMigrator,
  createOperator,
  createOrg,
  expectDenialAudited,
  expectErrorShape,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client } from '../support/http';

/** API tokens: shown once, stored hashed, scoped, expiring, revocable, and only one's own. */
let api: RunningApp;
let org: TestOrg;
let admin: Client;
let annotator: Client;

type Created = TokenView & { token: string };

beforeAll(async () => {
  api = await startApp();
  org = await createOrg(api);
  [admin, annotator] = await Promise.all([
    signIn(api.url, org.users.admin),
    signIn(api.url, org.users.annotator),
  ]);
});
afterAll(async () => {
  await api?.close();
});

async function createToken(client: Client, body: Record<string, unknown>): Promise<Created> {
  const res = await client.post('/api/v1/auth/tokens', body);
  expect(res.status, res.toString()).toBe(201);
  return res.json<Created>();
}

describe('API tokens', () => {
  it('creates a token shown once with the enc_ prefix; the list never shows it again', async () => {
    const created = await createToken(admin, { name: 'ci export', expiresInDays: 7 });
    expect(created.token).toMatch(/^enc_[A-Za-z0-9_-]{40,}$/);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.name).toBe('ci export');
    expect(created.scopes).toEqual(['read', 'write']);
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    const list = await admin.get('/api/v1/auth/tokens');
    expect(list.status).toBe(200);
    const page = list.json<Page<TokenView>>();
    const listed = page.items.find((t) => t.id === created.id);
    expect(listed).toMatchObject({ id: created.id, name: 'ci export', revokedAt: null });
    expect(listed).not.toHaveProperty('token');
    expect(created.token.startsWith(listed!.prefix)).toBe(true);
    expect(listed!.prefix.length).toBeLessThan(created.token.length / 2);
    expect(list.text).not.toContain(created.token);
    expect(list.text).not.toContain(created.token.slice(12));
  });

  it('authenticates as its owner with Authorization: Bearer', async () => {
    const { token } = await createToken(annotator, { name: 'mine' });
    const client = Client.withToken(api.url, token);
    const res = await client.get('/api/v1/auth/me');
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<MeResponse>()).toMatchObject({
      id: org.users.annotator.id,
      role: 'annotator',
      orgId: org.orgId,
    });
    // The token carries its owner's role, nothing more.
    expectErrorShape(await client.get('/api/v1/users'), 403, 'FORBIDDEN');
  });

  it('lets a read-only token read, and refuses every write with 403 TOKEN_SCOPE (audited)', async () => {
    const created = await createToken(admin, { name: 'read only', scopes: ['read'] });
    expect(created.scopes).toEqual(['read']);
    const client = Client.withToken(api.url, created.token);
    expect((await client.get('/api/v1/users')).status).toBe(200);
    const writes = [
      await client.post('/api/v1/users', {
        email: `ro.${org.slug}@example.test`,
        name: 'RO',
        role: 'annotator',
        password: 'read only cannot create',
      }),
      await client.patch(`/api/v1/users/${org.users.annotator.id}`, { name: 'renamed by a read-only token' }),
      await client.delete(`/api/v1/auth/tokens/${created.id}`),
      await client.post('/api/v1/auth/logout'),
    ];
    for (const res of writes) expectErrorShape(res, 403, 'TOKEN_SCOPE');
    await expectDenialAudited(admin, writes[1]!.requestId, 403);
    const annotatorNow = await admin.get(`/api/v1/users/${org.users.annotator.id}`);
    expect(annotatorNow.json<UserView>().name).not.toBe('renamed by a read-only token');
    // The refused revocation did not revoke it.
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('lets a write token change things without any CSRF token', async () => {
    const { token } = await createToken(admin, { name: 'writer' });
    const res = await Client.withToken(api.url, token).patch(`/api/v1/users/${org.users.reviewer.id}`, {
      name: 'Renamed by API',
    });
    expect(res.status, res.toString()).toBe(200);
  });

  it('is refused once revoked', async () => {
    const created = await createToken(admin, { name: 'to revoke' });
    const client = Client.withToken(api.url, created.token);
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    const revoked = await admin.delete(`/api/v1/auth/tokens/${created.id}`);
    expect(revoked.status, revoked.toString()).toBe(204);
    expectErrorShape(await client.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    const listed = (await admin.get('/api/v1/auth/tokens'))
      .json<Page<TokenView>>()
      .items.find((t) => t.id === created.id);
    expect(listed?.revokedAt).not.toBeNull();
    // Revoking again is harmless.
    expect((await admin.delete(`/api/v1/auth/tokens/${created.id}`)).status).toBe(204);
  });

  it('is refused once expired', async () => {
    const created = await createToken(admin, { name: 'short lived', expiresInDays: 1 });
    const client = Client.withToken(api.url, created.token);
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    // A day passes, as far as the database is concerned.
    await asMigrator(
      api.migratorUrl,
      "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
      [created.id],
    );
    expectErrorShape(await client.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
  });

  it('validates the expiry bounds, the name and the scopes', async () => {
    for (const body of [
      { name: 'x', expiresInDays: 0 },
      { name: 'x', expiresInDays: 366 },
      { name: 'x', expiresInDays: -1 },
      { name: 'x', expiresInDays: 1.5 },
      { name: 'x', expiresInDays: '30' },
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: ['read', 'read'] },
      { name: 'x', userId: org.users.owner.id },
    ]) {
      const res = await admin.post('/api/v1/auth/tokens', body);
      expectErrorShape(res, 400, 'VALIDATION_FAILED');
      expect(res.error.details.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const longest = await createToken(admin, { name: 'a year', expiresInDays: 365 });
    expect((Date.parse(longest.expiresAt) - Date.now()) / 86_400_000).toBeGreaterThan(364.9);
  });

  it("answers 404 for another user's token, and does not revoke it", async () => {
    const created = await createToken(annotator, { name: "annotator's" });
    const res = await admin.delete(`/api/v1/auth/tokens/${created.id}`);
    expectErrorShape(res, 404, 'NOT_FOUND');
    await expectDenialAudited(admin, res.requestId, 404);
    expect((await Client.withToken(api.url, created.token).get('/api/v1/auth/me')).status).toBe(200);
    // Nor does it show in anybody else's list.
    const adminList = (await admin.get('/api/v1/auth/tokens')).json<Page<TokenView>>();
    expect(adminList.items.map((t) => t.id)).not.toContain(created.id);
    // Another tenant's token is just as unknown.
    const other = await createOrg(api);
    const otherOwner = await signIn(api.url, other.users.owner);
    const foreign = await otherOwner.delete(`/api/v1/auth/tokens/${created.id}`);
    expectErrorShape(foreign, 404, 'NOT_FOUND');
    expectErrorShape(await admin.delete('/api/v1/auth/tokens/not-a-uuid'), 400, 'INVALID_PARAMETER');
  });

  it('cannot be created with a bearer token', async () => {
    const { token } = await createToken(admin, { name: 'parent' });
    const res = await Client.withToken(api.url, token).post('/api/v1/auth/tokens', { name: 'child' });
    expectErrorShape(res, 403, 'FORBIDDEN');
    await expectDenialAudited(admin, res.requestId, 403);
  });

  it('refuses malformed, unknown and oversized bearer credentials', async () => {
    const { token } = await createToken(admin, { name: 'real' });
    for (const authorization of [
      'Bearer enc_unknown',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token.replace('enc_', 'xyz_')}`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      `Bearer enc_${'a'.repeat(5000)}`,
      `Bearer ${token} extra`,
    ]) {
      const res = await new Client(api.url).get('/api/v1/auth/me', { headers: { authorization } });
      expectErrorShape(res, 401, 'UNAUTHENTICATED');
    }
  });

  it('is not available to the operator', async () => {
    const operator = await signIn(api.url, await createOperator(api.migratorUrl));
    expectErrorShape(await operator.post('/api/v1/auth/tokens', { name: 'op' }), 403, 'FORBIDDEN');
    expectErrorShape(await operator.get('/api/v1/auth/tokens'), 403, 'FORBIDDEN');
  });
});
