import { useRef, useState } from 'react';
import type { CreatedToken } from '../../../api/endpoints';
import { Alert } from '../../../shared/components/Alert';

/** The one time the secret is shown. It lives in component state only and is gone on "Done". */
export function NewTokenNotice({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'manual'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopyState('copied');
    } catch {
      // No clipboard access (an insecure origin or a refused permission): select it for Ctrl+C.
      input.current?.select();
      setCopyState('manual');
    }
  }

  return (
    <div className="new-token">
      <Alert tone="success">
        <strong>Token “{token.name}” created.</strong> Copy it now: it will not be shown again.
      </Alert>
      <div className="new-token__row">
        <label htmlFor="new-token-value" className="visually-hidden">
          New API token
        </label>
        <input
          id="new-token-value"
          ref={input}
          className="mono"
          readOnly
          value={token.token}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <button type="button" className="btn" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="btn btn--quiet" onClick={onDone}>
          Done
        </button>
      </div>
      <p className="field__hint" role="status">
        {copyState === 'copied'
          ? 'Copied to the clipboard.'
          : copyState === 'manual'
            ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy.'
            : 'Send it as “Authorization: Bearer <token>”.'}
      </p>
    </div>
  );
}
