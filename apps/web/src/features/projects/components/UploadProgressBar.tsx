import { formatBytes, progressFraction, type UploadProgress } from '../api/upload';

/** A labelled progress bar: bytes sent of the total, then "the server is working" once all are sent. */
export function UploadProgressBar({
  label,
  progress,
  sent,
}: {
  label: string;
  progress: UploadProgress | null;
  sent: boolean;
}) {
  const fraction = progressFraction(progress);
  const text = sent
    ? 'Sent. The server is checking and storing it…'
    : progress
      ? `${formatBytes(progress.loaded)}${progress.total !== null ? ` of ${formatBytes(progress.total)}` : ''} sent`
      : 'Starting…';
  return (
    <div className="upload-progress">
      <progress
        aria-label={label}
        max={1}
        value={sent ? undefined : (fraction ?? undefined)}
        aria-valuetext={text}
      />
      <span className="muted" role="status">
        {fraction !== null && !sent ? `${Math.round(fraction * 100)}% · ` : ''}
        {text}
      </span>
    </div>
  );
}
