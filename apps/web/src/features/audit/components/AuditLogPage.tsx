import { useId, useMemo, useState, type FormEvent } from 'react';
import { AUDIT_OUTCOMES, type AuditEventView, type UserView } from '@enclave/contracts';
import { useSession } from '../../../app/session';
import { Alert } from '../../../shared/components/Alert';
import { Badge } from '../../../shared/components/Badge';
import { SelectField, TextField } from '../../../shared/components/Field';
import { ListStatus } from '../../../shared/components/ListStatus';
import { describeError } from '../../../shared/errors';
import { formatDateTime, titleCase } from '../../../shared/format';
import { flattenPages } from '../../../shared/pages';
import { useDirectory } from '../../projects/hooks/useProjects';
import {
  auditFilterFrom,
  describeVerification,
  isFiltered,
  KNOWN_AUDIT_ACTIONS,
  type AuditFilter,
  type AuditOutcome,
} from '../api/audit';
import { useAuditEvents, useVerifyAuditChain } from '../hooks/useAudit';

function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : '';
}

function AuditRow({ event, people }: { event: AuditEventView; people: Map<string, UserView> }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const actor = event.actorId ? people.get(event.actorId) : undefined;
  return (
    <>
      <tr>
        <td className="num" title={`event ${event.seq} of lane ${event.lane}`}>
          {event.lane}·{event.seq}
        </td>
        <td>{formatDateTime(event.occurredAt)}</td>
        <td>
          {actor ? (
            <span title={event.actorId ?? undefined}>{actor.name}</span>
          ) : (
            <>
              {event.actorType}
              {event.actorId ? (
                <>
                  {' '}
                  <code title={event.actorId}>{shortId(event.actorId)}</code>
                </>
              ) : null}
            </>
          )}
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
        <td className="actions">
          <button
            type="button"
            className="btn btn--small btn--quiet"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((o) => !o)}
          >
            Details
            <span className="visually-hidden">
              {' '}
              of event {event.seq} of lane {event.lane}
            </span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={detailsId} className="audit-details">
          <td colSpan={8}>
            <dl className="audit-details__list">
              <dt>Actor</dt>
              <dd>
                {event.actorType}
                {event.actorId ? <code> {event.actorId}</code> : null}
                {actor ? ` (${actor.name}, ${actor.email})` : null}
              </dd>
              <dt>Target</dt>
              <dd>{event.targetId ? <code>{event.targetId}</code> : '—'}</dd>
              <dt>User agent</dt>
              <dd>{event.userAgent ?? '—'}</dd>
              <dt>Request id</dt>
              <dd>{event.requestId ? <code>{event.requestId}</code> : '—'}</dd>
              <dt>Hash</dt>
              <dd>
                <code className="audit-details__hash">{event.hash}</code>
              </dd>
            </dl>
            {Object.keys(event.details).length > 0 ? (
              <pre className="code-block">{JSON.stringify(event.details, null, 2)}</pre>
            ) : null}
          </td>
        </tr>
      ) : null}
    </>
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

const OUTCOME_OPTIONS: { value: AuditOutcome | ''; label: string }[] = [
  { value: '', label: 'Any outcome' },
  ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: titleCase(o) })),
];

export function AuditLogPage() {
  const { ability } = useSession();
  const actionsListId = useId();
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const [outcome, setOutcome] = useState<AuditOutcome | ''>('');
  const [formError, setFormError] = useState<string | null>(null);
  const [filter, setFilter] = useState<AuditFilter>({});
  const events = useAuditEvents(filter);
  const items = flattenPages(events.data);
  const directory = useDirectory(ability.can('list', 'User'));
  const people = useMemo(() => new Map((directory.data ?? []).map((u) => [u.id, u])), [directory.data]);
  const actorOptions = useMemo(
    () => [
      { value: '', label: 'Anyone' },
      ...[...people.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
    ],
    [people],
  );

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const r = auditFilterFrom({ action, actorId, outcome });
    if (!r.ok) return setFormError(r.error);
    setFormError(null);
    setFilter(r.filter);
  }

  function clear() {
    setAction('');
    setActorId('');
    setOutcome('');
    setFormError(null);
    setFilter({});
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
          <p className="muted">
            Recomputes every event&rsquo;s hash and names the first link that does not match.
          </p>
          <VerifyChain />
        </section>
      ) : null}
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <form
          className="filter audit-filter"
          onSubmit={apply}
          role="search"
          aria-label="Filter events"
          noValidate
        >
          <TextField
            label="Action"
            value={action}
            onValueChange={setAction}
            placeholder="e.g. auth.login"
            autoCapitalize="off"
            spellCheck={false}
            list={actionsListId}
            error={formError ?? undefined}
          />
          <datalist id={actionsListId}>
            {KNOWN_AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          {people.size > 0 ? (
            <SelectField label="Actor" value={actorId} options={actorOptions} onValueChange={setActorId} />
          ) : null}
          <SelectField label="Outcome" value={outcome} options={OUTCOME_OPTIONS} onValueChange={setOutcome} />
          <button type="submit" className="btn">
            Filter
          </button>
          {isFiltered(filter) ? (
            <button type="button" className="btn btn--quiet" onClick={clear}>
              Show all
            </button>
          ) : null}
        </form>
        {items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col" className="num" title="lane · event number in its lane">
                    Lane · #
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Client address</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((event) => (
                  <AuditRow key={event.id} event={event} people={people} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ListStatus
          list={events}
          empty={
            isFiltered(filter)
              ? 'No events match these filters. Change them or choose Show all.'
              : 'No events yet.'
          }
          count={items.length}
        />
      </section>
    </>
  );
}
