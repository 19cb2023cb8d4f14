import { useEffect, useState } from 'react';

/** Below this, the timer turns into a warning. */
export const LEASE_WARNING_MS = 2 * 60_000;

export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export type LeasePhase = 'ok' | 'warning' | 'expired';

export function leasePhase(remainingMs: number): LeasePhase {
  if (remainingMs <= 0) return 'expired';
  return remainingMs <= LEASE_WARNING_MS ? 'warning' : 'ok';
}

/**
 * How long the task stays the annotator's. Near the end it warns (once, to screen readers too);
 * after it, the task may go to someone else, though a submission still counts while the task needs it.
 */
export function LeaseTimer({ expiresAt, label = 'Lease' }: { expiresAt: string; label?: string }) {
  const end = Date.parse(expiresAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const remaining = end - now;
  const phase = leasePhase(remaining);
  return (
    <div className={`lease lease--${phase}`}>
      <span className="lease__clock" aria-hidden="true">
        {label}: {phase === 'expired' ? 'expired' : formatRemaining(remaining)}
      </span>
      {/* The ticking clock is not announced; the changes of phase are. */}
      <span className="visually-hidden" role="status">
        {phase === 'warning'
          ? `${label} ends in under ${Math.ceil(LEASE_WARNING_MS / 60_000)} minutes.`
          : phase === 'expired'
            ? `${label} expired.`
            : ''}
      </span>
      {phase === 'warning' ? (
        <span className="lease__note">Ends soon: submit, or the task may go to someone else.</span>
      ) : null}
      {phase === 'expired' ? (
        <span className="lease__note">Expired: you can still submit while the task needs an answer.</span>
      ) : null}
    </div>
  );
}
