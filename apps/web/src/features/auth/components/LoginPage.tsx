import { useEffect, useState, type FormEvent } from 'react';
import { Alert } from '../../../shared/components/Alert';
import { TextField } from '../../../shared/components/Field';
import { describeError } from '../../../shared/errors';
import { useSignIn } from '../hooks/useAuth';

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();

  useEffect(() => {
    document.title = 'Sign in · Enclave';
  }, []);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (signIn.isPending) return;
    signIn.mutate({ email: email.trim(), password }, { onError: () => setPassword('') });
  }

  return (
    <main className="login" id="main">
      <div className="login__card">
        <p className="brand brand--large" aria-hidden="true">
          Enclave
        </p>
        <h1>Sign in</h1>
        <form onSubmit={submit} noValidate>
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onValueChange={setEmail}
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onValueChange={setPassword}
          />
          {signIn.isError ? <Alert tone="error">{describeError(signIn.error)}</Alert> : null}
          <button type="submit" className="btn btn--primary btn--block" disabled={signIn.isPending}>
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
