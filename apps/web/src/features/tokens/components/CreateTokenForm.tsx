import { useState, type FormEvent } from 'react';
import { createTokenSchema, TOKEN_SCOPES, type TokenScope } from '@enclave/contracts';
import type { CreatedToken } from '../../../api/endpoints';
import { Alert } from '../../../shared/components/Alert';
import { TextField } from '../../../shared/components/Field';
import { formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from '../../../shared/errors';
import { useCreateToken } from '../hooks/useTokens';

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: 'Read (GET requests)',
  write: 'Write (changes)',
};

export function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedToken) => void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('30');
  const [scopes, setScopes] = useState<TokenScope[]>([...TOKEN_SCOPES]);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const createToken = useCreateToken();

  function toggle(scope: TokenScope, on: boolean) {
    setScopes((s) =>
      on ? TOKEN_SCOPES.filter((x) => x === scope || s.includes(x)) : s.filter((x) => x !== scope),
    );
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const checked = validateWith(createTokenSchema, {
      name,
      expiresInDays: days.trim() === '' ? undefined : Number(days),
      scopes,
    });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors(NO_ERRORS);
    createToken.mutate(checked.data, {
      onSuccess: (token) => {
        setName('');
        onCreated(token);
      },
      onError: (error) => setErrors(formErrorsFrom(error)),
    });
  }

  return (
    <form onSubmit={submit} noValidate className="form-grid">
      <TextField
        label="Token name"
        value={name}
        onValueChange={setName}
        error={errors.fields.name}
        hint="What uses it, e.g. “nightly export”."
        required
      />
      <TextField
        label="Expires in (days)"
        type="number"
        inputMode="numeric"
        min={1}
        max={365}
        value={days}
        onValueChange={setDays}
        error={errors.fields.expiresInDays}
      />
      <fieldset className="field">
        <legend>Scopes</legend>
        {TOKEN_SCOPES.map((scope) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(e) => toggle(scope, e.target.checked)}
            />
            {SCOPE_LABELS[scope]}
          </label>
        ))}
        {errors.fields.scopes ? <p className="field__error">{errors.fields.scopes}</p> : null}
      </fieldset>
      <div className="form-grid__actions">
        {errors.general ? <Alert tone="error">{errors.general}</Alert> : null}
        <button type="submit" className="btn btn--primary" disabled={createToken.isPending}>
          Create token
        </button>
      </div>
    </form>
  );
}
