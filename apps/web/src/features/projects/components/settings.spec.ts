import type { ProjectView } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { draftFromProject, settingsPatch, settingsValues } from './settings';

const PROJECT = {
  name: 'Reviews',
  description: '',
  instructions: '# Read',
  overlap: 2,
  leaseSeconds: 900,
  reviewMode: 'sample',
  reviewSamplePercent: 20,
  goldPercent: 10,
  qualification: { tasks: 5, minAccuracy: 0.8 },
} as ProjectView;

describe('settings form', () => {
  it('shows minutes and percents, and gives back the same project when nothing changed', () => {
    const draft = draftFromProject(PROJECT);
    expect(draft).toMatchObject({
      leaseMinutes: '15',
      reviewSamplePercent: '20',
      qualificationAccuracyPercent: '80',
    });
    const r = settingsValues(draft);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(settingsPatch(r.values, PROJECT)).toEqual({});
  });

  it('sends only what changed, in the API’s units', () => {
    const draft = {
      ...draftFromProject(PROJECT),
      leaseMinutes: '2.5',
      reviewMode: 'all' as const,
      qualification: false,
    };
    const r = settingsValues(draft);
    if (!r.ok) throw new Error('invalid');
    expect(settingsPatch(r.values, PROJECT)).toEqual({
      leaseSeconds: 150,
      reviewMode: 'all',
      qualification: null,
    });
  });

  it('names every bad number in the form’s own words', () => {
    const r = settingsValues({
      ...draftFromProject(null),
      name: ' ',
      overlap: '0',
      leaseMinutes: 'soon',
      goldPercent: '5.5',
      reviewMode: 'sample',
      reviewSamplePercent: '',
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        name: 'Give the project a name.',
        overlap: 'Enter the annotators per task from 1 to 50.',
        leaseMinutes: 'Enter the lease length in minutes as a number.',
        reviewSamplePercent: 'Enter the share to review.',
        goldPercent: 'Enter the share of gold tasks as a whole number.',
      },
    });
  });
});
