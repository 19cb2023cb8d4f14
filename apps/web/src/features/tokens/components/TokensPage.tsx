import { useState } from 'react';
import type { TokenView } from '@enclave/contracts';
import type { CreatedToken } from '../../../api/endpoints';
import { Badge } from '../../../shared/components/Badge';
import { ListStatus } from '../../../shared/components/ListStatus';
import { describeError } from '../../../shared/errors';
import { formatDate, formatDateTime } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { tokenState } from '../api/tokens';
import { useRevokeToken, useTokens } from '../hooks/useTokens';
import { CreateTokenForm } from './CreateTokenForm';
import { NewTokenNotice } from './NewTokenNotice';

function TokenRow({ token }: { token: TokenView }) {
  const revoke = useRevokeToken();
  const state = tokenState(token);
  return (
    <tr>
      <td>{token.name}</td>
      <td>
        <code>{token.prefix}…</code>
      </td>
      <td>{token.scopes.join(', ')}</td>
      <td>{formatDate(token.createdAt)}</td>
      <td>{formatDate(token.expiresAt)}</td>
      <td>{formatDateTime(token.lastUsedAt)}</td>
      <td>
        <Badge value={state} />
      </td>
      <td className="actions">
        {state === 'active' ? (
          <button
            type="button"
            className="btn btn--small btn--danger"
            disabled={revoke.isPending}
            onClick={() => revoke.mutate(token.id)}
          >
            Revoke
          </button>
        ) : null}
        {revoke.isError ? (
          <p className="row-error" role="alert">
            {describeError(revoke.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function TokensPage() {
  const tokens = useTokens();
  const items = flattenPages(tokens.data);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  return (
    <>
      <header className="page-header">
        <h1>API tokens</h1>
        <p className="muted">
          Tokens let scripts call the API as you. Each one is shown once, when it is created.
        </p>
      </header>
      <section className="card" aria-labelledby="new-token-title">
        <h2 id="new-token-title">Create a token</h2>
        {created ? (
          <NewTokenNotice token={created} onDone={() => setCreated(null)} />
        ) : (
          <CreateTokenForm onCreated={setCreated} />
        )}
      </section>
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Your tokens</h2>
        {items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((token) => (
                  <TokenRow key={token.id} token={token} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ListStatus list={tokens} empty="You have no tokens." count={items.length} />
      </section>
    </>
  );
}
