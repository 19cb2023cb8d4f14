import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { LabelConfig } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { importTasks } from '../api/projects';
import { formatBytes, IMPORT_ACCEPT, importContentType, type UploadProgress } from '../api/upload';
import { useInvalidateTasks } from '../hooks/useProjects';
import { describeImportFailure, type ImportFailure } from './import-errors';
import { exampleImportLine } from './sample-data';
import { UploadProgressBar } from './UploadProgressBar';

type ImportState =
  | { phase: 'idle' }
  | { phase: 'uploading'; progress: UploadProgress | null; sent: boolean }
  | { phase: 'done'; imported: number; file: string }
  | { phase: 'failed'; failure: ImportFailure; file: string };

function FailureReport({ failure }: { failure: ImportFailure }) {
  const lines = new Set(failure.rows.map((r) => r.line)).size;
  return (
    <div className="import-failure" role="alert">
      <div className="alert alert--error">
        <p>
          <strong>{failure.title}.</strong> {failure.message}
        </p>
        {failure.hint ? <p className="import-failure__hint">{failure.hint}</p> : null}
      </div>
      {failure.rows.length > 0 ? (
        <div className="table-wrap import-failure__table">
          <table>
            <caption>
              {failure.rows.length} problem{failure.rows.length === 1 ? '' : 's'} on {lines} line
              {lines === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">Where</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {failure.rows.map((r, i) => (
                <tr key={i} className={r.firstOfLine ? 'first-of-line' : undefined}>
                  <td className="num">
                    {r.line === null ? (
                      'file'
                    ) : r.firstOfLine ? (
                      r.line
                    ) : (
                      <span className="visually-hidden">{r.line}</span>
                    )}
                  </td>
                  <td>{r.path ? <code>{r.path}</code> : <span className="muted">whole line</span>}</td>
                  <td>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** Tasks from a file: progress while it uploads, the count or every bad line after. */
export function ImportSection({ projectId, config }: { projectId: string; config: LabelConfig }) {
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<ImportState>({ phase: 'idle' });
  const [fileError, setFileError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const invalidate = useInvalidateTasks(projectId);
  const example = useMemo(() => exampleImportLine(config), [config]);

  function pick(f: File | null) {
    setFile(f);
    setState({ phase: 'idle' });
    setFileError(f && !importContentType(f.name) ? 'Choose a .json, .ndjson, .jsonl or .csv file.' : null);
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!file) return setFileError('Choose a file to import.');
    if (!importContentType(file.name)) return setFileError('Choose a .json, .ndjson, .jsonl or .csv file.');
    const controller = new AbortController();
    abort.current = controller;
    setState({ phase: 'uploading', progress: null, sent: false });
    try {
      const result = await importTasks(projectId, file, {
        signal: controller.signal,
        onProgress: (progress) => setState((s) => (s.phase === 'uploading' ? { ...s, progress } : s)),
        onSent: () => setState((s) => (s.phase === 'uploading' ? { ...s, sent: true } : s)),
      });
      setState({ phase: 'done', imported: result.imported, file: file.name });
      invalidate();
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') setState({ phase: 'idle' });
      else setState({ phase: 'failed', failure: describeImportFailure(error), file: file.name });
    } finally {
      abort.current = null;
    }
  }

  const uploading = state.phase === 'uploading';
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Import tasks</h2>
      <p className="muted">
        A JSON array (<code>.json</code>), one JSON object a line (<code>.ndjson</code>, <code>.jsonl</code>)
        or CSV (<code>.csv</code>), in UTF-8. An import is all or nothing: one bad line and nothing is
        imported.
      </p>
      <form onSubmit={(e) => void submit(e)} className="import-form" noValidate>
        <div className={fileError ? 'field field--invalid' : 'field'}>
          <label htmlFor={`${id}-file`}>Task file</label>
          <input
            ref={fileInput}
            id={`${id}-file`}
            type="file"
            accept={IMPORT_ACCEPT}
            onChange={(e) => pick(e.target.files?.[0] ?? null)}
            disabled={uploading}
            aria-describedby={fileError ? `${id}-file-error` : undefined}
            aria-invalid={fileError ? true : undefined}
          />
          {file && !fileError ? (
            <p className="field__hint">
              {file.name}, {formatBytes(file.size)}
            </p>
          ) : null}
          {fileError ? (
            <p id={`${id}-file-error`} className="field__error">
              {fileError}
            </p>
          ) : null}
        </div>
        <div className="form-actions__row">
          <button type="submit" className="btn btn--primary" disabled={uploading || !file}>
            Import
          </button>
          {uploading ? (
            <button type="button" className="btn btn--quiet" onClick={() => abort.current?.abort()}>
              Cancel import
            </button>
          ) : null}
        </div>
      </form>
      {state.phase === 'uploading' ? (
        <UploadProgressBar label="Import progress" progress={state.progress} sent={state.sent} />
      ) : null}
      {state.phase === 'done' ? (
        <Alert tone="success">
          Imported {state.imported.toLocaleString()} task{state.imported === 1 ? '' : 's'} from {state.file}.
        </Alert>
      ) : null}
      {state.phase === 'failed' ? <FailureReport failure={state.failure} /> : null}
      <details className="import-help">
        <summary>What a task file looks like</summary>
        <p>
          One task per line (NDJSON). <code>data</code> holds one value per field of the configuration;{' '}
          <code>externalId</code> (your own id), <code>priority</code> (higher first) and <code>gold</code>{' '}
          (the known answer, which makes it a gold task) are optional.
        </p>
        <pre className="code-block">{example}</pre>
        <p className="muted">
          CSV: a header line, then one task per row, with one column per field (or one <code>data</code>{' '}
          column of JSON) and optional <code>externalId</code>, <code>priority</code>, <code>gold</code>{' '}
          columns. Image fields take the id of an image uploaded below.
        </p>
      </details>
    </section>
  );
}
