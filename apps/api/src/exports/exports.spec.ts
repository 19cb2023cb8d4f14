import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { labelConfigSchema } from '@enclave/contracts';
import { CocoWriter, JsonArrayWriter, JsonlWriter } from '@enclave/labeling';
import { exportQuery, type ExportRow } from './export-query';
import { EXPORT_CHUNK_BYTES, ExportTransform } from './export-stream';
import { exportFileName } from './exports.service';
import { exportUrl, isExportFormat, isExportStatus } from './export-client';

async function run(transform: ExportTransform, rows: ExportRow[]): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(rows, { objectMode: true }), transform, sink);
  return chunks;
}

const row = (record: string, pass = 1, annotations = 1): ExportRow => ({ pass, record, annotations });

describe('ExportTransform', () => {
  it('writes head, records and tail, counting and hashing exactly the bytes handed on', async () => {
    let started = 0;
    const t = new ExportTransform(new JsonArrayWriter(), () => started++);
    const chunks = await run(t, [row('{"id":"é"}', 1, 2), row('{"id":2}', 1, 0)]);
    const body = Buffer.concat(chunks);
    expect(body.toString()).toBe('[\n{"id":"é"},\n{"id":2}\n]\n');
    expect(t.bytes).toBe(body.length);
    expect(t.digest()).toBe(createHash('sha256').update(body).digest('hex'));
    expect(t.tasks).toBe(2);
    expect(t.annotations).toBe(2);
    expect(started).toBe(1);
  });

  it('batches records into chunks instead of one write each', async () => {
    const t = new ExportTransform(new JsonlWriter());
    const record = JSON.stringify({ text: 'x'.repeat(1000) });
    const chunks = await run(
      t,
      Array.from({ length: 1000 }, () => row(record)),
    );
    expect(chunks.length).toBeLessThan(20);
    expect(chunks.slice(0, -1).every((c) => c.length >= EXPORT_CHUNK_BYTES)).toBe(true);
    expect(t.bytes).toBe(1000 * (record.length + 1));
  });

  it('passes an empty two-pass export through both passes', async () => {
    const coco = new CocoWriter({
      configs: [
        labelConfigSchema.parse({
          fields: [{ name: 'image', type: 'image' }],
          questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] }],
        }),
      ],
      identities: false,
    });
    const t = new ExportTransform(coco);
    const body = Buffer.concat(await run(t, [])).toString();
    expect(JSON.parse(body)).toMatchObject({ images: [], annotations: [] });
    expect(t.tasks).toBe(0);
  });

  it('counts the records of the last pass only, and refuses rows out of pass order', async () => {
    const config = labelConfigSchema.parse({
      fields: [{ name: 'image', type: 'image' }],
      questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] }],
    });
    const ok = new ExportTransform(new CocoWriter({ configs: [config], identities: false }));
    const light = JSON.stringify({ id: 't', externalId: null, images: null });
    const full = JSON.stringify({
      id: 't',
      externalId: null,
      data: {},
      priority: 0,
      gold: null,
      annotations: [],
      images: null,
    });
    await run(ok, [row(light, 1, 0), row(full, 2, 3)]);
    expect(ok.tasks).toBe(1);
    expect(ok.annotations).toBe(3);

    const bad = new ExportTransform(new CocoWriter({ configs: [config], identities: false }));
    await expect(run(bad, [row(full, 2), row(light, 1)])).rejects.toThrow(/out of order/);
  });
});

describe('exportQuery', () => {
  const base = { orgId: 'o', projectId: 'p', salt: 's', identities: false, passes: 1 as const };

  it('binds every value, the statuses of the filter included', () => {
    expect(exportQuery({ ...base, status: 'submitted' }).values).toEqual([
      'o',
      'p',
      's',
      ['submitted', 'accepted'],
    ]);
    expect(exportQuery({ ...base, status: 'accepted' }).values[3]).toEqual(['accepted']);
    expect(exportQuery({ ...base, status: 'all' }).values[3]).toEqual([
      'draft',
      'submitted',
      'accepted',
      'rejected',
    ]);
    expect(exportQuery({ ...base, status: 'all', passes: 2, imageFields: ['image'] }).values[4]).toEqual([
      'image',
    ]);
  });

  it('leaves out tasks without matching annotations unless the status is all', () => {
    expect(exportQuery({ ...base, status: 'submitted' }).text).toContain('AND a.n > 0');
    expect(exportQuery({ ...base, status: 'all' }).text).not.toContain('AND a.n > 0');
  });

  it('asks for identities only when told', () => {
    expect(exportQuery({ ...base, status: 'all' }).text).not.toContain('users');
    expect(exportQuery({ ...base, status: 'all', identities: true }).text).toContain('"annotatorIdentity"');
  });

  it('reads twice in one statement for a two-pass format', () => {
    const { text } = exportQuery({ ...base, status: 'all', passes: 2, imageFields: ['image'] });
    expect(text.match(/UNION ALL/g)).toHaveLength(1);
    expect(text).toMatch(/SELECT 1 AS pass[\s\S]*SELECT 2 AS pass/);
  });
});

describe('exportFileName', () => {
  it('slugs the project name to ASCII', () => {
    expect(exportFileName('Ünïcode NER: "quoted" / slashed', 'csv')).toBe(
      'unicode-ner-quoted-slashed-csv.csv',
    );
    expect(exportFileName('東京', 'jsonl')).toBe('project-jsonl.jsonl');
    expect(exportFileName('a'.repeat(100), 'coco')).toBe(`${'a'.repeat(60)}-coco.json`);
    expect(exportFileName('x\r\nContent-Type: evil', 'conll')).toBe('x-content-type-evil-conll.conll');
  });
});

describe('export client', () => {
  it('builds the URL from the options', () => {
    expect(
      exportUrl({
        url: 'http://127.0.0.1:3000',
        projectId: 'p 1',
        format: 'csv',
        status: 'all',
        identities: true,
      }).toString(),
    ).toBe('http://127.0.0.1:3000/api/v1/projects/p%201/export?format=csv&status=all&identities=true');
    expect(exportUrl({ url: 'http://h', projectId: 'p', format: 'jsonl' }).search).toBe('?format=jsonl');
  });

  it('knows the formats and statuses', () => {
    expect(isExportFormat('coco')).toBe(true);
    expect(isExportFormat('xml')).toBe(false);
    expect(isExportStatus('all')).toBe(true);
    expect(isExportStatus('draft')).toBe(false);
  });
});
