import type { OrgRole, UserView } from '@enclave/contracts';
import { useSession } from '../../../app/session';
import { Badge } from '../../../shared/components/Badge';
import { ListStatus } from '../../../shared/components/ListStatus';
import { describeError } from '../../../shared/errors';
import { titleCase } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { ConfirmAction } from '../../projects/components/ConfirmAction';
import { useUpdateUser, useUsers } from '../hooks/useUsers';
import { CreateUserForm } from './CreateUserForm';
import { creatableRoles, roleOptions, rowPermissions } from './roles';

function UserRow({ user, showActions }: { user: UserView; showActions: boolean }) {
  const { ability, user: me } = useSession();
  const update = useUpdateUser(user.id);
  const { canUpdate, roles } = rowPermissions(ability, me, user);
  const shownRole = update.isPending && update.variables.role ? update.variables.role : user.role;
  const disabled = user.status === 'disabled';

  return (
    <tr>
      <td>
        {user.name}
        {user.id === me.id ? <span className="muted"> (you)</span> : null}
      </td>
      <td>{user.email}</td>
      <td>
        {canUpdate ? (
          <select
            aria-label={`Role of ${user.email}`}
            value={shownRole}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ role: e.target.value as OrgRole })}
          >
            {roleOptions(roles).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : (
          titleCase(user.role)
        )}
      </td>
      <td>
        <Badge value={user.status} />
      </td>
      {showActions ? (
        <td className="actions">
          {canUpdate && disabled ? (
            <button
              type="button"
              className="btn btn--small"
              disabled={update.isPending}
              onClick={() => update.mutate({ status: 'active' })}
              aria-label={`Enable ${user.email}`}
            >
              Enable
            </button>
          ) : null}
          {canUpdate && !disabled ? (
            <ConfirmAction
              small
              label="Disable"
              ariaLabel={`Disable ${user.email}`}
              question={`Disable ${user.name}? They are signed out everywhere and cannot sign in.`}
              confirmLabel="Disable"
              onConfirm={() => update.mutate({ status: 'disabled' })}
              pending={update.isPending}
            />
          ) : null}
          {update.isError ? (
            <p className="row-error" role="alert">
              {describeError(update.error)}
            </p>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

export function UsersPage() {
  const { ability } = useSession();
  const users = useUsers();
  const items = flattenPages(users.data);
  const newRoles = creatableRoles(ability);
  // A manager sees the directory but changes nothing: no empty action column for them.
  const showActions = ability.can('update', 'User');

  return (
    <>
      <header className="page-header">
        <h1>Users</h1>
        <p className="muted">Everyone in your organization and what they may do.</p>
      </header>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">People</h2>
        {items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  {showActions ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {items.map((user) => (
                  <UserRow key={user.id} user={user} showActions={showActions} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ListStatus list={users} empty="No users yet." count={items.length} />
      </section>
      {newRoles.length > 0 ? <CreateUserForm roles={newRoles} /> : null}
    </>
  );
}
