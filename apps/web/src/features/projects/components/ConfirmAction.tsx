import { useEffect, useRef, useState, type ReactNode } from 'react';

interface ConfirmActionProps {
  /** The first button's text: "Remove", "Archive project". */
  label: string;
  /** What is about to happen, asked as a question. */
  question: ReactNode;
  /** The second button's text, which does it. */
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  danger?: boolean;
  small?: boolean;
  /** Names the first button for assistive technology where its text alone is ambiguous (a row's "Remove"). */
  ariaLabel?: string;
}

/** A destructive action asks once, in place: no modal, and Cancel puts focus back where it was. */
export function ConfirmAction({
  label,
  question,
  confirmLabel,
  onConfirm,
  pending = false,
  danger = true,
  small = false,
  ariaLabel,
}: ConfirmActionProps) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) startRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  const size = small ? ' btn--small' : '';
  if (!asking) {
    return (
      <button
        ref={startRef}
        type="button"
        className={`btn${size}${danger ? ' btn--danger' : ''}`}
        onClick={() => setAsking(true)}
        disabled={pending}
        aria-label={ariaLabel}
      >
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={ariaLabel ?? label}>
      <span className="confirm__question">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className={`btn${size}${danger ? ' btn--danger-solid' : ' btn--primary'}`}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
        disabled={pending}
      >
        {confirmLabel}
      </button>
      <button type="button" className={`btn btn--quiet${size}`} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
