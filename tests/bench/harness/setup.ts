import { randomBytes } from 'node:crypto';
import type { CreateOrgInput, LabelConfigInput, OrgView, ProjectView } from '@enclave/contracts';
import { ApiClient } from './http';

/** The operator the bench's server is started with (ENCLAVE_OPERATOR_EMAIL / _PASSWORD). */
export function benchOperator(): { email: string; password: string } {
  return {
    email: 'operator@bench.enclave.local',
    password: `bench-${randomBytes(18).toString('base64url')}`,
  };
}

export interface BenchOrg {
  orgId: string;
  /** The owner's API token: a bearer needs no CSRF header. */
  api: ApiClient;
  owner: { email: string; password: string };
}

/**
 * Set-up through the public API only, as an operator and then an owner would do it: the operator signs
 * in and creates an organization with its owner; the owner signs in and makes an API token.
 */
export async function createBenchOrg(
  baseUrl: string,
  operator: { email: string; password: string },
): Promise<BenchOrg> {
  const suffix = randomBytes(4).toString('hex');
  const owner = {
    email: `owner.${suffix}@bench.enclave.local`,
    password: `bench-${randomBytes(18).toString('base64url')}`,
  };
  const op = new ApiClient(baseUrl);
  await op.login(operator.email, operator.password);
  const input: CreateOrgInput = {
    name: `Bench Lab ${suffix}`,
    slug: `bench-${suffix}`,
    owner: { ...owner, name: 'Bench Owner' },
  };
  const org = await op.call<OrgView>('POST', '/api/v1/platform/orgs', input);

  const session = new ApiClient(baseUrl);
  await session.login(owner.email, owner.password);
  const { token } = await session.call<{ id: string; token: string }>('POST', '/api/v1/auth/tokens', {
    name: 'bench',
  });
  return { orgId: org.id, api: session.withToken(token), owner };
}

/** A project with one text field and one choice: the shape of a plain text-classification project. */
export async function createTextProject(api: ApiClient, name: string): Promise<ProjectView> {
  const input: { name: string; labelConfig: LabelConfigInput } = {
    name,
    labelConfig: {
      fields: [{ name: 'text', type: 'text' }],
      questions: [{ name: 'label', type: 'single_choice', options: ['a', 'b'] }],
    },
  };
  return api.call<ProjectView>('POST', '/api/v1/projects', input);
}
