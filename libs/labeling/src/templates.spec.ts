/// <reference types="node" />
// This test reads the templates' sample files, as the API does at run time; the library itself stays
// free of I/O, which is what the lint rule below guards.
// eslint-disable-next-line no-restricted-imports
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import {
  LABEL_TEMPLATES,
  parseLabelConfig,
  SAMPLE_IMAGE_DIR,
  SAMPLE_IMAGE_PREFIX,
  type LabelTemplate,
} from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { sliceCodePoints } from './text';
import { validateResult } from './validate-result';
import { imageAssetIds, validateTaskData } from './validate-data';

/** Found the way the API finds it: beside the contracts package's package.json. */
const TEMPLATES_DIR = join(
  dirname(createRequire(__filename).resolve('@enclave/contracts/package.json')),
  'templates',
);

interface SampleRow {
  externalId: string;
  data: Record<string, unknown>;
  priority?: number;
  gold?: Record<string, unknown>;
}

function readSample(t: LabelTemplate): SampleRow[] {
  const text = readFileSync(join(TEMPLATES_DIR, t.sampleFile), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as SampleRow);
}

/** The placeholder `sample:street-01.png` replaced by a stable fake asset id, as the loader would. */
function withAssetIds(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] =
      typeof value === 'string' && value.startsWith(SAMPLE_IMAGE_PREFIX) ? fakeAssetId(value) : value;
  }
  return out;
}
function fakeAssetId(placeholder: string): string {
  const hex = [...placeholder]
    .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
    .toString(16)
    .padStart(8, '0');
  return `${hex}-0000-4000-8000-000000000000`;
}

const cases = LABEL_TEMPLATES.map((t) => [t.id, t] as const);

describe('template sample data', () => {
  it('has one file per template and nothing else', () => {
    const files = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.ndjson'));
    expect(files.sort()).toEqual(LABEL_TEMPLATES.map((t) => t.sampleFile).sort());
  });

  it.each(cases)('%s: the config parses', (_id, t) => {
    expect(parseLabelConfig(t.labelConfig).ok).toBe(true);
  });

  it.each(cases)('%s: 8 to 20 rows with unique external ids, only the known keys', (_id, t) => {
    const rows = readSample(t);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.length).toBeLessThanOrEqual(20);
    expect(new Set(rows.map((r) => r.externalId)).size).toBe(rows.length);
    for (const row of rows) {
      expect(
        Object.keys(row).every((k) => ['externalId', 'data', 'priority', 'gold'].includes(k)),
        row.externalId,
      ).toBe(true);
      expect(typeof row.externalId).toBe('string');
      if (row.priority !== undefined) expect(Number.isInteger(row.priority)).toBe(true);
    }
  });

  it.each(cases)('%s: every row passes validateTaskData', (_id, t) => {
    for (const row of readSample(t)) {
      expect(validateTaskData(t.labelConfig, withAssetIds(row.data)), row.externalId).toEqual([]);
    }
  });

  it.each(cases)('%s: 1 to 3 gold rows, each gold answer passes validateResult', (_id, t) => {
    const gold = readSample(t).filter((r) => r.gold !== undefined);
    expect(gold.length).toBeGreaterThanOrEqual(1);
    expect(gold.length).toBeLessThanOrEqual(3);
    for (const row of gold) {
      expect(validateResult(t.labelConfig, withAssetIds(row.data), row.gold), row.externalId).toEqual([]);
    }
  });

  it('named entities: gold spans cover exactly the names, counted in code points', () => {
    const t = LABEL_TEMPLATES.find((x) => x.id === 'named-entities')!;
    const marked = readSample(t)
      .filter((r) => r.gold)
      .map((r) =>
        (r.gold!.entities as { start: number; end: number; label: string }[]).map(
          (s) => `${s.label}:${sliceCodePoints(r.data.text as string, s.start, s.end)}`,
        ),
      );
    expect(marked).toEqual([
      ['PER:José Martínez', 'LOC:São Paulo', 'LOC:Zürich', 'ORG:World Health Organization'],
      ['ORG:東京大学', 'PER:山田太郎', 'LOC:大阪'],
      ['LOC:Lisbon', 'ORG:TAP Air Portugal', 'LOC:Porto'],
    ]);
    // the first of those texts starts with an astral emoji: UTF-16 offsets would be one further on
    const first = readSample(t).find((r) => r.externalId === 'ner-003')!;
    expect((first.gold!.entities as { start: number }[])[0]!.start).toBe(2);
  });

  it('named entities: the sample has text beyond ASCII (emoji, accents, CJK, a combining mark)', () => {
    const t = LABEL_TEMPLATES.find((x) => x.id === 'named-entities')!;
    const all = readSample(t)
      .map((r) => r.data.text as string)
      .join('\n');
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
    expect(all).toMatch(/[\u4e00-\u9fff]/);
    expect(all).toMatch(/é/);
    expect(all).toMatch(/\u0301/);
  });

  it('image boxes: every image a row names ships in the images directory, each at most 60 KB', () => {
    const t = LABEL_TEMPLATES.find((x) => x.id === 'image-boxes')!;
    const rows = readSample(t);
    const config = t.labelConfig;
    const named = new Set(
      rows.flatMap((r) =>
        Object.values(r.data).filter(
          (v): v is string => typeof v === 'string' && v.startsWith(SAMPLE_IMAGE_PREFIX),
        ),
      ),
    );
    expect(named.size).toBeGreaterThanOrEqual(4);
    for (const placeholder of named) {
      const file = join(TEMPLATES_DIR, SAMPLE_IMAGE_DIR, placeholder.slice(SAMPLE_IMAGE_PREFIX.length));
      const bytes = readFileSync(file);
      expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(statSync(file).size).toBeLessThanOrEqual(60 * 1024);
    }
    // raw rows hold placeholders, not asset ids: the loader must replace them first
    const raw = rows[0]!.data;
    expect(validateTaskData(config, raw)).toEqual([expect.objectContaining({ path: 'data.image' })]);
    expect(imageAssetIds(config, withAssetIds(raw))).toHaveLength(1);
  });
});
