import { useId, useState, type FormEvent } from 'react';
import type { ProjectMemberView, ProjectRole } from '@enclave/contracts';
import { useSession } from '../../../app/session';
import { Alert } from '../../../shared/components/Alert';
import { SelectField } from '../../../shared/components/Field';
import { describeError } from '../../../shared/errors';
import { formatDate, titleCase } from '../../../shared/format';
import { useDirectory, useMembers, usePutMember, useRemoveMember } from '../hooks/useProjects';
import { ConfirmAction } from './ConfirmAction';
import { addableUsers, DEFAULT_PROJECT_ROLE, projectRoleOptions } from './member-roles';

function MemberRow({
  projectId,
  member,
  canChange: canChangeProject,
}: {
  projectId: string;
  member: ProjectMemberView;
  canChange: boolean;
}) {
  const { user: me } = useSession();
  // A manager who demoted or removed themselves would lose this page; owners and admins keep it anyway.
  const lockedSelf = member.userId === me.id && me.role !== 'owner' && me.role !== 'admin';
  const canChange = canChangeProject && !lockedSelf;
  const put = usePutMember(projectId);
  const remove = useRemoveMember(projectId);
  const options = projectRoleOptions(member.orgRole);
  const shown = put.isPending ? put.variables.role : member.role;

  return (
    <tr>
      <td>
        {member.name}
        {member.userId === me.id ? <span className="muted"> (you)</span> : null}
        <div className="muted small">{member.email}</div>
      </td>
      <td>{titleCase(member.orgRole)}</td>
      <td>
        {canChange && options.length > 1 ? (
          <select
            aria-label={`Project role of ${member.name}`}
            value={shown}
            disabled={put.isPending}
            onChange={(e) => put.mutate({ userId: member.userId, role: e.target.value as ProjectRole })}
          >
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : (
          titleCase(member.role)
        )}
      </td>
      <td>{formatDate(member.addedAt)}</td>
      {canChangeProject ? (
        <td className="actions">
          {lockedSelf ? (
            <span className="muted small">Another manager or an admin can change your role.</span>
          ) : null}
          {canChange ? (
            <ConfirmAction
              small
              label="Remove"
              ariaLabel={`Remove ${member.name}`}
              question={`Remove ${member.name}? Tasks they hold go back to the queue.`}
              confirmLabel="Remove"
              onConfirm={() => remove.mutate(member.userId)}
              pending={remove.isPending}
            />
          ) : null}
          {put.isError || remove.isError ? (
            <p className="row-error" role="alert">
              {describeError(put.error ?? remove.error)}
            </p>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

function AddMember({ projectId, members }: { projectId: string; members: ProjectMemberView[] }) {
  const id = useId();
  const directory = useDirectory();
  const put = usePutMember(projectId);
  const candidates = addableUsers(directory.data ?? [], members);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>(DEFAULT_PROJECT_ROLE);
  const [added, setAdded] = useState<string | null>(null);
  const selected = candidates.find((u) => u.id === userId) ?? null;
  const roleOptions = selected ? projectRoleOptions(selected.role) : projectRoleOptions('annotator');

  function choose(nextId: string) {
    setUserId(nextId);
    setAdded(null);
    const next = candidates.find((u) => u.id === nextId);
    // Keep the chosen role if the new person may hold it, else the most they may.
    if (next && !projectRoleOptions(next.role).some((o) => o.value === role)) setRole(DEFAULT_PROJECT_ROLE);
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!selected) return;
    put.mutate(
      { userId: selected.id, role },
      {
        onSuccess: () => {
          setAdded(`${selected.name} is now ${role === 'annotator' ? 'an' : 'a'} ${role} of this project.`);
          setUserId('');
          setRole(DEFAULT_PROJECT_ROLE);
        },
      },
    );
  }

  if (directory.isPending) return <p className="muted">Loading the people of your organization…</p>;
  if (directory.isError) return <Alert tone="error">{describeError(directory.error)}</Alert>;
  return (
    <form onSubmit={submit} className="add-member" aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Add a member</h3>
      {candidates.length === 0 ? (
        <p className="muted">
          Everyone active in your organization is already a member. An owner or admin adds new people on the
          Users page.
        </p>
      ) : (
        <div className="add-member__row">
          <SelectField
            label="Person"
            value={userId}
            options={[
              { value: '', label: 'Choose someone…' },
              ...candidates.map((u) => ({ value: u.id, label: `${u.name} (${u.email}) · ${u.role}` })),
            ]}
            onValueChange={choose}
          />
          <SelectField
            label="Role in this project"
            value={role}
            options={roleOptions}
            onValueChange={setRole}
          />
          <button type="submit" className="btn btn--primary" disabled={!selected || put.isPending}>
            Add member
          </button>
        </div>
      )}
      {selected && roleOptions.length < 3 ? (
        <p className="field__hint">
          As {selected.role === 'annotator' ? 'an' : 'a'} {selected.role} of the organization, {selected.name}{' '}
          can be at most {roleOptions[roleOptions.length - 1]!.value} here.
        </p>
      ) : null}
      {put.isError ? <Alert tone="error">{describeError(put.error)}</Alert> : null}
      {added ? <Alert tone="success">{added}</Alert> : null}
    </form>
  );
}

export function MembersSection({ projectId, canChange }: { projectId: string; canChange: boolean }) {
  const id = useId();
  const members = useMembers(projectId);
  const items = members.data ?? [];

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Members</h2>
      <p className="muted">
        Annotators label, reviewers also review, managers run the project. Owners and admins manage every
        project without being members.
      </p>
      {members.isPending ? <p className="muted">Loading…</p> : null}
      {members.isError ? <Alert tone="error">{describeError(members.error)}</Alert> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Organization role</th>
                <th scope="col">Project role</th>
                <th scope="col">Added</th>
                {canChange ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <MemberRow key={m.userId} projectId={projectId} member={m} canChange={canChange} />
              ))}
            </tbody>
          </table>
        </div>
      ) : members.isSuccess ? (
        <p className="muted">No members yet. Add the people who will label below.</p>
      ) : null}
      {canChange && members.isSuccess ? <AddMember projectId={projectId} members={items} /> : null}
    </section>
  );
}
