import {
  EXPORT_FORMATS,
  EXPORT_STATUSES,
  type ExportFormat,
  type ExportStatus,
  type LabelConfig,
  type QuestionType,
} from '@enclave/contracts';
import { API_BASE, buildUrl, fillPath } from '../../../api/client';

export interface ExportChoice {
  format: ExportFormat;
  status: ExportStatus;
  identities: boolean;
}

/** The download's address; the session cookie goes with a plain link, so no script fetches it. */
export function exportUrl(projectId: string, choice: ExportChoice, base = API_BASE): string {
  return buildUrl(
    fillPath('/projects/:id/export', { id: projectId }),
    { format: choice.format, status: choice.status, identities: choice.identities ? 'true' : undefined },
    base,
  );
}

interface FormatInfo {
  label: string;
  description: string;
  /** The question types the format carries; null: every one. */
  needs: readonly QuestionType[] | null;
}

export const EXPORT_FORMAT_INFO: Record<ExportFormat, FormatInfo> = {
  jsonl: {
    label: 'JSON lines',
    description: 'One record per task with its data and every annotation.',
    needs: null,
  },
  json: { label: 'JSON', description: 'The same records as one JSON array.', needs: null },
  csv: {
    label: 'CSV',
    description: 'One row per annotation, one column per question, for spreadsheets.',
    needs: null,
  },
  coco: {
    label: 'COCO',
    description: 'Bounding boxes in the COCO object-detection format.',
    needs: ['bboxes'],
  },
  conll: { label: 'CoNLL', description: 'Spans as BIO tags, one token a line.', needs: ['spans'] },
  preference: {
    label: 'Preference pairs',
    description: 'Pairwise and ranking answers as {prompt, chosen, rejected} lines for preference tuning.',
    needs: ['pairwise', 'ranking'],
  },
};

export const EXPORT_STATUS_LABELS: Record<ExportStatus, string> = {
  submitted: 'Submitted and accepted',
  accepted: 'Accepted in review only',
  all: 'Everything, drafts and rejected included',
};

/** Whether the format has anything to carry for this configuration (COCO without box questions: no). */
export function formatFits(format: ExportFormat, config: LabelConfig): boolean {
  const needs = EXPORT_FORMAT_INFO[format].needs;
  return needs === null || config.questions.some((q) => needs.includes(q.type));
}

export function exportFormatOptions(config: LabelConfig) {
  return EXPORT_FORMATS.map((format) => {
    const info = EXPORT_FORMAT_INFO[format];
    const fits = formatFits(format, config);
    return {
      value: format,
      label: fits ? info.label : `${info.label} (no ${info.needs!.join(' or ')} questions)`,
      fits,
    };
  });
}

export function exportStatusOptions() {
  return EXPORT_STATUSES.map((s) => ({ value: s, label: EXPORT_STATUS_LABELS[s] }));
}
