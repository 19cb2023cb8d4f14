import { LABEL_TEMPLATES, parseLabelConfig, type LabelConfig } from '@enclave/contracts';
import { validateTaskData } from '@enclave/labeling';
import { describe, expect, it } from 'vitest';
import { exampleImportLine, PLACEHOLDER_IMAGE, placeholderData, previewData } from './sample-data';

function config(input: unknown): LabelConfig {
  const r = parseLabelConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe('placeholder data', () => {
  it('fits every template’s fields (images aside, which need an uploaded asset)', () => {
    for (const t of LABEL_TEMPLATES) {
      const data = placeholderData(t.labelConfig);
      const issues = validateTaskData(t.labelConfig, data).filter(
        (i) => !t.labelConfig.fields.some((f) => f.type === 'image' && i.path === `data.${f.name}`),
      );
      expect(issues, t.id).toEqual([]);
    }
  });

  it('shows a drawn picture for images', () => {
    const c = config({
      fields: [{ name: 'photo', type: 'image' }],
      questions: [{ name: 'boxes', type: 'bboxes', field: 'photo', labels: ['car'] }],
    });
    expect(placeholderData(c)).toEqual({ photo: PLACEHOLDER_IMAGE });
    expect(PLACEHOLDER_IMAGE.startsWith('data:image/svg+xml,')).toBe(true);
  });

  it('uses the real sample where it has a value and fills in the rest', () => {
    const c = config({
      fields: [
        { name: 'text', type: 'text' },
        { name: 'title', type: 'text' },
      ],
      questions: [{ name: 'q', type: 'text' }],
    });
    const data = previewData(c, { text: 'real', title: null, extra: 1 });
    expect(data.text).toBe('real');
    expect(typeof data.title).toBe('string');
    expect(data).not.toHaveProperty('extra');
  });

  it('writes an example import line per task', () => {
    const c = config({
      fields: [{ name: 'img', type: 'image' }],
      questions: [{ name: 'q', type: 'rating', min: 1, max: 5 }],
    });
    const lines = exampleImportLine(c)
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ externalId: 'task-1', data: { img: '<id of an uploaded image>' } });
  });
});
