import { parseLabelConfig, type LabelConfig } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { exportFormatOptions, exportUrl, formatFits } from './export';

function config(input: unknown): LabelConfig {
  const r = parseLabelConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const SPANS = config({
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'entities', type: 'spans', field: 'text', labels: ['PER'] }],
});

describe('export', () => {
  it('builds the download address with only the identities flag when asked', () => {
    expect(exportUrl('p 1', { format: 'csv', status: 'accepted', identities: false })).toBe(
      '/api/v1/projects/p%201/export?format=csv&status=accepted',
    );
    expect(exportUrl('p1', { format: 'jsonl', status: 'all', identities: true })).toBe(
      '/api/v1/projects/p1/export?format=jsonl&status=all&identities=true',
    );
  });

  it('tells which formats carry this configuration’s answers', () => {
    expect(formatFits('conll', SPANS)).toBe(true);
    expect(formatFits('coco', SPANS)).toBe(false);
    expect(formatFits('preference', SPANS)).toBe(false);
    expect(formatFits('csv', SPANS)).toBe(true);
    const options = exportFormatOptions(SPANS);
    expect(options.map((o) => o.value)).toEqual(['jsonl', 'json', 'csv', 'coco', 'conll', 'preference']);
    expect(options.find((o) => o.value === 'coco')).toEqual({
      value: 'coco',
      label: 'COCO (no bboxes questions)',
      fits: false,
    });
    expect(options.find((o) => o.value === 'preference')!.label).toBe(
      'Preference pairs (no pairwise or ranking questions)',
    );
  });
});
