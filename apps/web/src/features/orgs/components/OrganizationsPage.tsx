import type { OrgView } from '@enclave/contracts';
import { Badge } from '../../../shared/components/Badge';
import { ListStatus } from '../../../shared/components/ListStatus';
import { describeError } from '../../../shared/errors';
import { formatDate } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { useOrgs, useSetOrgStatus } from '../hooks/useOrgs';
import { CreateOrgForm } from './CreateOrgForm';

function OrgRow({ org }: { org: OrgView }) {
  const setStatus = useSetOrgStatus();
  const suspended = org.status === 'suspended';
  return (
    <tr>
      <td>{org.name}</td>
      <td>
        <code>{org.slug}</code>
      </td>
      <td>
        <Badge value={org.status} />
      </td>
      <td className="num">{org.userCount ?? '—'}</td>
      <td>{formatDate(org.createdAt)}</td>
      <td className="actions">
        <button
          type="button"
          className={suspended ? 'btn btn--small' : 'btn btn--small btn--danger'}
          disabled={setStatus.isPending}
          onClick={() => setStatus.mutate({ id: org.id, status: suspended ? 'active' : 'suspended' })}
        >
          {suspended ? 'Reactivate' : 'Suspend'}
        </button>
        {setStatus.isError ? (
          <p className="row-error" role="alert">
            {describeError(setStatus.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function OrganizationsPage() {
  const orgs = useOrgs();
  const items = flattenPages(orgs.data);
  return (
    <>
      <header className="page-header">
        <h1>Organizations</h1>
        <p className="muted">
          Each organization is a tenant of its own. You manage them here; their data stays theirs.
        </p>
      </header>
      <section className="card" aria-labelledby="orgs-title">
        <h2 id="orgs-title">All organizations</h2>
        {items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Slug</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Users
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((org) => (
                  <OrgRow key={org.id} org={org} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ListStatus list={orgs} empty="No organizations yet." count={items.length} />
      </section>
      <CreateOrgForm />
    </>
  );
}
