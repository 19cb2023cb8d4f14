import { describe, expect, it } from 'vitest';
import { parseLabelConfig } from './label-config';
import { findTemplate, LABEL_TEMPLATES, TEMPLATE_IDS } from './templates';

describe('label templates', () => {
  it('ship the eight common jobs of SPEC §4, in order', () => {
    expect(LABEL_TEMPLATES.map((t) => t.id)).toEqual([...TEMPLATE_IDS]);
    expect(TEMPLATE_IDS).toEqual([
      'text-classification',
      'named-entities',
      'image-boxes',
      'pairwise-preference',
      'response-ranking',
      'rubric-rating',
      'sft-writing',
      'chat-evaluation',
    ]);
  });

  it.each(LABEL_TEMPLATES.map((t) => [t.id, t] as const))(
    '%s passes parseLabelConfig unchanged',
    (_id, t) => {
      const r = parseLabelConfig(t.labelConfig);
      expect(r).toEqual({ ok: true, config: t.labelConfig });
    },
  );

  it.each(LABEL_TEMPLATES.map((t) => [t.id, t] as const))(
    '%s has a name, a description, instructions and a sample file',
    (id, t) => {
      expect(t.name.length).toBeGreaterThan(0);
      expect(t.description.length).toBeGreaterThan(0);
      expect(t.instructions).toMatch(/^# /);
      expect(t.sampleFile).toBe(`${id}.ndjson`);
    },
  );

  it('match the shapes the brief asks for', () => {
    const types = (id: string) =>
      findTemplate(id)?.labelConfig.questions.map((q) => `${q.name}:${q.type}${q.required ? '' : '?'}`);
    expect(types('text-classification')).toEqual(['category:single_choice', 'topics:multi_choice?']);
    expect(types('named-entities')).toEqual(['entities:spans']);
    expect(findTemplate('named-entities')?.labelConfig.questions[0]).toMatchObject({
      labels: ['PER', 'ORG', 'LOC', 'MISC'],
    });
    expect(findTemplate('image-boxes')?.labelConfig.questions[0]).toMatchObject({
      labels: ['car', 'person', 'bicycle'],
    });
    expect(findTemplate('pairwise-preference')?.labelConfig.questions[0]).toMatchObject({
      type: 'pairwise',
      allowTie: true,
    });
    expect(types('pairwise-preference')).toEqual(['better:pairwise', 'reason:text?']);
    expect(types('response-ranking')).toEqual(['order:ranking']);
    expect(types('rubric-rating')).toEqual([
      'helpfulness:rating',
      'harmlessness:rating',
      'honesty:rating',
      'notes:text?',
    ]);
    expect(findTemplate('sft-writing')?.labelConfig.questions[0]).toMatchObject({
      name: 'response',
      minLength: 1,
      maxLength: 20000,
    });
    expect(findTemplate('chat-evaluation')?.labelConfig.fields).toEqual([{ name: 'dialogue', type: 'chat' }]);
  });

  it('findTemplate finds by id, and nothing for an unknown id', () => {
    expect(findTemplate('rubric-rating')?.name).toBe('Rubric rating');
    expect(findTemplate('nope')).toBeUndefined();
    expect(findTemplate('constructor')).toBeUndefined();
  });
});
