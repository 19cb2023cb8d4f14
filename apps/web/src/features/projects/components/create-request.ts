import type { CreateProjectInput, LabelConfig, TemplateView } from '@enclave/contracts';
import { sameConfig } from './config-text';
import type { SettingsValues } from './settings';

/** The request: the template by id while its configuration is untouched (its sample data fits it only). */
export function createRequest(
  v: SettingsValues,
  template: TemplateView | null,
  config: { value: unknown; parsed: LabelConfig },
  includeSampleData: boolean,
): CreateProjectInput {
  const base = {
    name: v.name,
    description: v.description,
    instructions: v.instructions,
    overlap: v.overlap,
    leaseSeconds: v.leaseSeconds,
    reviewMode: v.reviewMode,
    ...(v.reviewMode === 'sample' ? { reviewSamplePercent: v.reviewSamplePercent } : {}),
    goldPercent: v.goldPercent,
    qualification: v.qualification,
  };
  if (template && sameConfig(template.labelConfig, config.parsed)) {
    return {
      ...base,
      template: template.id,
      ...(includeSampleData && template.sampleSize > 0 ? { includeSampleData: true } : {}),
    };
  }
  return { ...base, labelConfig: config.value as LabelConfig };
}
