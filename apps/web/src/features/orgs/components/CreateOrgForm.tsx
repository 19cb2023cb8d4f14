import { useState, type FormEvent } from 'react';
import { createOrgSchema } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { TextField } from '../../../shared/components/Field';
import { formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from '../../../shared/errors';
import { useCreateOrg } from '../hooks/useOrgs';

const EMPTY = { name: '', slug: '', ownerEmail: '', ownerName: '', ownerPassword: '' };

/** Where errors that name no path belong. */
const CODE_FIELDS = { SLUG_TAKEN: 'slug', EMAIL_TAKEN: 'owner.email', WEAK_PASSWORD: 'owner.password' };

export function CreateOrgForm() {
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [created, setCreated] = useState<string | null>(null);
  const createOrg = useCreateOrg();

  const set = (key: keyof typeof EMPTY) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setCreated(null);
    const checked = validateWith(createOrgSchema, {
      name: form.name,
      slug: form.slug.trim(),
      owner: { email: form.ownerEmail, name: form.ownerName, password: form.ownerPassword },
    });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors(NO_ERRORS);
    createOrg.mutate(checked.data, {
      onSuccess: (org) => {
        setCreated(`Organization ${org.name} (${org.slug}) created. Its owner can sign in now.`);
        setForm(EMPTY);
      },
      onError: (error) => setErrors(formErrorsFrom(error, CODE_FIELDS)),
    });
  }

  return (
    <section className="card" aria-labelledby="create-org-title">
      <h2 id="create-org-title">Create organization</h2>
      <form onSubmit={submit} noValidate className="form-grid">
        <TextField
          label="Organization name"
          value={form.name}
          onValueChange={set('name')}
          error={errors.fields.name}
          required
        />
        <TextField
          label="Slug"
          value={form.slug}
          onValueChange={set('slug')}
          error={errors.fields.slug}
          hint="Lowercase letters, digits and dashes."
          autoCapitalize="off"
          spellCheck={false}
          required
        />
        <TextField
          label="Owner email"
          type="email"
          autoComplete="off"
          value={form.ownerEmail}
          onValueChange={set('ownerEmail')}
          error={errors.fields['owner.email']}
          required
        />
        <TextField
          label="Owner name"
          autoComplete="off"
          value={form.ownerName}
          onValueChange={set('ownerName')}
          error={errors.fields['owner.name']}
          required
        />
        <TextField
          label="Owner password"
          type="password"
          autoComplete="new-password"
          value={form.ownerPassword}
          onValueChange={set('ownerPassword')}
          error={errors.fields['owner.password']}
          hint="At least 12 characters; common passwords are refused."
          required
        />
        <div className="form-grid__actions">
          {errors.general ? <Alert tone="error">{errors.general}</Alert> : null}
          {created ? <Alert tone="success">{created}</Alert> : null}
          <button type="submit" className="btn btn--primary" disabled={createOrg.isPending}>
            Create organization
          </button>
        </div>
      </form>
    </section>
  );
}
