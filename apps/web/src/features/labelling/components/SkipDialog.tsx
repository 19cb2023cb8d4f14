import { useState, type FormEvent } from 'react';
import { Alert } from '../../../shared/components/Alert';
import { Dialog } from '../../../shared/components/Dialog';
import { describeError } from '../../../shared/errors';

const REASONS = [
  'Unclear or ambiguous',
  'Outside my expertise',
  'Broken or empty content',
  'Offensive content',
];

interface SkipDialogProps {
  open: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSkip: (reason: string) => void;
}

/** Skipping asks why: the reason reaches the project's manager through the audit log. */
export function SkipDialog({ open, pending, error, onClose, onSkip }: SkipDialogProps) {
  const [reason, setReason] = useState('');
  function submit(e: FormEvent) {
    e.preventDefault();
    onSkip(reason);
  }
  return (
    <Dialog open={open} title="Skip this task" onClose={onClose}>
      <form onSubmit={submit} className="skip-form">
        <p className="muted">
          The task will not come back to you; it stays in the queue for others. Your draft of it is discarded.
        </p>
        <div className="skip-form__reasons" role="group" aria-label="Common reasons">
          {REASONS.map((r) => (
            <button
              key={r}
              type="button"
              className="btn btn--small"
              aria-pressed={reason === r}
              onClick={() => setReason(r)}
            >
              {r}
            </button>
          ))}
        </div>
        <div className="field">
          <label htmlFor="skip-reason">Reason (optional)</label>
          <textarea
            id="skip-reason"
            value={reason}
            maxLength={1000}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
            autoFocus
          />
        </div>
        {error ? <Alert tone="error">{describeError(error)}</Alert> : null}
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending}>
            {pending ? 'Skipping…' : 'Skip task'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
