import { useState, type FormEvent } from 'react';
import { createUserSchema, type OrgRole } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { SelectField, TextField } from '../../../shared/components/Field';
import { formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from '../../../shared/errors';
import { useCreateUser } from '../hooks/useUsers';
import { roleOptions } from './roles';

const CODE_FIELDS = { EMAIL_TAKEN: 'email', WEAK_PASSWORD: 'password' };

export function CreateUserForm({ roles }: { roles: OrgRole[] }) {
  const defaultRole: OrgRole = roles.includes('annotator')
    ? 'annotator'
    : (roles[roles.length - 1] ?? 'annotator');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<OrgRole>(defaultRole);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [created, setCreated] = useState<string | null>(null);
  const createUser = useCreateUser();

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setCreated(null);
    const checked = validateWith(createUserSchema, { email, name, role, password });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors(NO_ERRORS);
    createUser.mutate(checked.data, {
      onSuccess: (user) => {
        setCreated(`${user.name} can now sign in as ${user.email}.`);
        setEmail('');
        setName('');
        setPassword('');
        setRole(defaultRole);
      },
      onError: (error) => setErrors(formErrorsFrom(error, CODE_FIELDS)),
    });
  }

  return (
    <section className="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create user</h2>
      <form onSubmit={submit} noValidate className="form-grid">
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onValueChange={setEmail}
          error={errors.fields.email}
          required
        />
        <TextField
          label="Name"
          autoComplete="off"
          value={name}
          onValueChange={setName}
          error={errors.fields.name}
          required
        />
        <SelectField
          label="Role"
          value={role}
          options={roleOptions(roles)}
          onValueChange={setRole}
          error={errors.fields.role}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onValueChange={setPassword}
          error={errors.fields.password}
          hint="At least 12 characters; common passwords are refused."
          required
        />
        <div className="form-grid__actions">
          {errors.general ? <Alert tone="error">{errors.general}</Alert> : null}
          {created ? <Alert tone="success">{created}</Alert> : null}
          <button type="submit" className="btn btn--primary" disabled={createUser.isPending}>
            Create user
          </button>
        </div>
      </form>
    </section>
  );
}
