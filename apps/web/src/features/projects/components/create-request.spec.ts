import { LABEL_TEMPLATES, type TemplateView } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { createRequest } from './create-request';
import type { SettingsValues } from './settings';

const VALUES: SettingsValues = {
  name: 'Reviews',
  description: '',
  instructions: '# Read',
  overlap: 2,
  leaseSeconds: 900,
  reviewMode: 'none',
  reviewSamplePercent: null,
  goldPercent: 10,
  qualification: null,
};
const T = LABEL_TEMPLATES[0]!;
const TEMPLATE: TemplateView = {
  id: T.id,
  name: T.name,
  description: T.description,
  labelConfig: T.labelConfig,
  sampleSize: 12,
};

describe('createRequest', () => {
  it('names the template, with its sample data, while its configuration is untouched', () => {
    const r = createRequest(VALUES, TEMPLATE, { value: T.labelConfig, parsed: T.labelConfig }, true);
    expect(r).toMatchObject({ template: T.id, includeSampleData: true, name: 'Reviews', overlap: 2 });
    expect(r).not.toHaveProperty('labelConfig');
    expect(r).not.toHaveProperty('reviewSamplePercent');
  });

  it('sends the configuration itself once it was changed', () => {
    const changed = { ...T.labelConfig, questions: T.labelConfig.questions.slice(0, 1) };
    const r = createRequest(
      { ...VALUES, reviewMode: 'sample', reviewSamplePercent: 30 },
      TEMPLATE,
      { value: changed, parsed: changed },
      true,
    );
    expect(r).toMatchObject({ labelConfig: changed, reviewMode: 'sample', reviewSamplePercent: 30 });
    expect(r).not.toHaveProperty('template');
    expect(r).not.toHaveProperty('includeSampleData');
  });
});
