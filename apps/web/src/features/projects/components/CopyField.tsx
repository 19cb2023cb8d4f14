import { useRef, useState } from 'react';

/** A value to paste elsewhere (an asset id into a task file): selectable, with a Copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard access (an insecure origin, a refused permission): the text stays selected.
      setCopied('no');
    }
  }

  return (
    <div className="copy-field">
      <label className="copy-field__label">
        <span>{label}</span>
        <input
          ref={input}
          readOnly
          value={value}
          className="mono"
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <button type="button" className="btn btn--small" onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" className="muted copy-field__status">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </span>
    </div>
  );
}
