import { useState, type FormEvent } from 'react';
import type { AuditEventView } from '@enclave/contracts';
import { useSession } from '../../../app/session';
import { Alert } from '../../../shared/components/Alert';
import { Badge } from '../../../shared/components/Badge';
import { TextField } from '../../../shared/components/Field';
import { ListStatus } from '../../../shared/components/ListStatus';
import { describeError } from '../../../shared/errors';
import { formatDateTime } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { describeVerification, type AuditFilter } from '../api/audit';
import { useAuditEvents, useVerifyAuditChain } from '../hooks/useAudit';

function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : '';
}

function AuditRow({ event }: { event: AuditEventView }) {
  return (
    <tr>
      <td className="num">{event.seq}</td>
      <td>{formatDateTime(event.occurredAt)}</td>
      <td>
        {event.actorType}
        {event.actorId ? (
          <>
            {' '}
            <code title={event.actorId}>{shortId(event.actorId)}</code>
          </>
        ) : null}
      </td>
      <td>
        <code>{event.action}</code>
      </td>
      <td>
        {event.targetType ?? '—'}
        {event.targetId ? (
          <>
            {' '}
            <code title={event.targetId}>{shortId(event.targetId)}</code>
          </>
        ) : null}
      </td>
      <td>
        <Badge value={event.outcome} />
      </td>
      <td>{event.ip ?? '—'}</td>
    </tr>
  );
}

function VerifyChain() {
  const verify = useVerifyAuditChain();
  return (
    <div className="verify">
      <button type="button" className="btn" onClick={() => verify.mutate()} disabled={verify.isPending}>
        Verify chain
      </button>
      {verify.isPending ? <span className="muted">Recomputing every hash…</span> : null}
      {verify.isSuccess ? (
        <Alert tone={verify.data.valid ? 'success' : 'error'}>{describeVerification(verify.data)}</Alert>
      ) : null}
      {verify.isError ? <Alert tone="error">{describeError(verify.error)}</Alert> : null}
    </div>
  );
}

export function AuditLogPage() {
  const { ability } = useSession();
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState<AuditFilter>({});
  const events = useAuditEvents(filter);
  const items = flattenPages(events.data);

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const action = draft.trim();
    setFilter(action ? { action } : {});
  }

  return (
    <>
      <header className="page-header">
        <h1>Audit log</h1>
        <p className="muted">
          Every sensitive action in your organization, newest first, in a tamper-evident hash chain.
        </p>
      </header>
      {ability.can('verify', 'AuditEvent') ? (
        <section className="card" aria-labelledby="verify-title">
          <h2 id="verify-title">Integrity</h2>
          <VerifyChain />
        </section>
      ) : null}
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <form className="filter" onSubmit={apply} role="search">
          <TextField
            label="Action"
            value={draft}
            onValueChange={setDraft}
            placeholder="e.g. auth.login"
            autoCapitalize="off"
            spellCheck={false}
          />
          <button type="submit" className="btn">
            Filter
          </button>
          {filter.action ? (
            <button
              type="button"
              className="btn btn--quiet"
              onClick={() => {
                setDraft('');
                setFilter({});
              }}
            >
              Show all
            </button>
          ) : null}
        </form>
        {items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Client address</th>
                </tr>
              </thead>
              <tbody>
                {items.map((event) => (
                  <AuditRow key={event.id} event={event} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ListStatus
          list={events}
          empty={filter.action ? `No events with the action ${filter.action}.` : 'No events yet.'}
          count={items.length}
        />
      </section>
    </>
  );
}
