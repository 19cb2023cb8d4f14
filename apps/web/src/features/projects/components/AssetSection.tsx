import { useId, useRef, useState, type FormEvent } from 'react';
import type { AssetView } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { describeError } from '../../../shared/errors';
import { uploadAsset } from '../api/projects';
import { formatBytes, type UploadProgress } from '../api/upload';
import { CopyField } from './CopyField';
import { UploadProgressBar } from './UploadProgressBar';

const IMAGE_ACCEPT = 'image/png,image/jpeg,image/webp,image/gif';

function explain(error: unknown): string {
  const base = describeError(error);
  if (error && typeof error === 'object' && 'status' in error) {
    if (error.status === 413)
      return `${base} Make the image smaller (fewer pixels or a higher compression) and try again.`;
    if (error.status === 415)
      return /PNG/.test(base) ? base : `${base} Upload a PNG, JPEG, WebP or GIF image.`;
  }
  return base;
}

/** Images for image fields: upload one, get the id a task's data names it by. */
export function AssetSection({ projectId }: { projectId: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<(AssetView & { fileName: string })[]>([]);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!file) return setError('Choose an image to upload.');
    setBusy(true);
    setError(null);
    setProgress(null);
    setSent(false);
    try {
      const asset = await uploadAsset(projectId, file, {
        onProgress: setProgress,
        onSent: () => setSent(true),
      });
      setUploaded((list) => [{ ...asset, fileName: file.name }, ...list.filter((a) => a.id !== asset.id)]);
      setFile(null);
      if (input.current) input.current.value = '';
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Images</h2>
      <p className="muted">
        Tasks with an image field name their image by id. Upload the images first, then put each id in the
        task file&rsquo;s image field.
      </p>
      <form onSubmit={(e) => void submit(e)} className="import-form" noValidate>
        <div className="field">
          <label htmlFor={`${id}-file`}>Image file</label>
          <input
            ref={input}
            id={`${id}-file`}
            type="file"
            accept={IMAGE_ACCEPT}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setError(null);
            }}
            disabled={busy}
          />
          <p className="field__hint">PNG, JPEG, WebP or GIF.</p>
        </div>
        <div className="form-actions__row">
          <button type="submit" className="btn" disabled={busy || !file}>
            Upload image
          </button>
        </div>
      </form>
      {busy ? <UploadProgressBar label="Image upload progress" progress={progress} sent={sent} /> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      {uploaded.length > 0 ? (
        <ul className="asset-list" aria-label="Uploaded images">
          {uploaded.map((a) => (
            <li key={a.id}>
              <CopyField
                label={`Id of ${a.fileName} (${a.width}×${a.height}, ${formatBytes(a.byteSize)})`}
                value={a.id}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
