import { useId, useState } from 'react';
import type { ExportFormat, ExportStatus, LabelConfig } from '@enclave/contracts';
import { SelectField } from '../../../shared/components/Field';
import {
  EXPORT_FORMAT_INFO,
  exportFormatOptions,
  exportStatusOptions,
  exportUrl,
  formatFits,
} from '../api/export';

interface Props {
  projectId: string;
  config: LabelConfig;
  /** Owners and admins may name annotators instead of per-project pseudonyms (audited). */
  canExportIdentities: boolean;
}

export function ExportSection({ projectId, config, canExportIdentities }: Props) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('jsonl');
  const [status, setStatus] = useState<ExportStatus>('submitted');
  const [identities, setIdentities] = useState(false);
  const href = exportUrl(projectId, { format, status, identities: canExportIdentities && identities });
  const fits = formatFits(format, config);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Export</h2>
      <div className="form-grid">
        <SelectField
          label="Format"
          value={format}
          options={exportFormatOptions(config)}
          onValueChange={setFormat}
        />
        <SelectField
          label="Annotations"
          value={status}
          options={exportStatusOptions()}
          onValueChange={setStatus}
        />
      </div>
      <p className="muted">{EXPORT_FORMAT_INFO[format].description}</p>
      {!fits ? (
        <p className="alert alert--info">
          This project has no {EXPORT_FORMAT_INFO[format].needs!.join(' or ')} questions, so this file would
          carry no answers. Choose JSON lines to get everything.
        </p>
      ) : null}
      {canExportIdentities ? (
        <label className="checkbox export-identities">
          <input type="checkbox" checked={identities} onChange={(e) => setIdentities(e.target.checked)} />
          Name annotators (e-mail and name) instead of pseudonyms — recorded in the audit log
        </label>
      ) : (
        <p className="muted small">
          Annotators appear under a pseudonym that stays the same within this project.
        </p>
      )}
      <p>
        <a className="btn btn--primary" href={href} download>
          Download export
        </a>
      </p>
    </section>
  );
}
