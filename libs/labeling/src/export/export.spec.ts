import { describe, expect, it } from 'vitest';
import { labelConfigSchema, type LabelConfig, type LabelConfigInput } from '@enclave/contracts';
import {
  bioTags,
  boxToPixels,
  CocoWriter,
  conllDocument,
  ConllWriter,
  createExportWriter,
  csvCell,
  csvLayout,
  CsvWriter,
  EXPORT_MEDIA,
  exportQuestions,
  JsonArrayWriter,
  JsonlWriter,
  PreferenceWriter,
  preferredPairs,
  promptOf,
  tokenize,
  type ExportAnnotation,
  type ExportRecord,
  type ExportWriter,
} from './index';

function config(input: LabelConfigInput): LabelConfig {
  return labelConfigSchema.parse(input);
}

function annotation(overrides: Partial<ExportAnnotation> = {}): ExportAnnotation {
  return {
    id: 'a0000000-0000-4000-8000-000000000001',
    annotator: 'annotator-0123456789ab',
    status: 'submitted',
    result: {},
    configVersion: 1,
    leadTimeMs: 1500,
    createdAt: '2025-01-02T03:04:05.006Z',
    submittedAt: '2025-01-02T03:05:00.000Z',
    review: null,
    ...overrides,
  };
}

function record(overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    id: 'task-1',
    externalId: 'doc-1',
    data: {},
    priority: 0,
    gold: null,
    annotations: [],
    ...overrides,
  };
}

/** Everything a writer produces for these records, every pass. */
function run(writer: ExportWriter, records: ExportRecord[]): string {
  let out = writer.head();
  for (let pass = 1; pass <= writer.passes; pass++) {
    if (pass > 1) out += writer.between();
    for (const r of records) out += writer.write(JSON.stringify(r), pass);
  }
  return out + writer.tail();
}

const classification = config({
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b'], required: false },
    { name: 'note', type: 'text', required: false },
  ],
});

describe('exportQuestions', () => {
  it('lists the current questions first, then those only older versions had', () => {
    const old = config({
      fields: [{ name: 'text', type: 'text' }],
      questions: [
        { name: 'legacy', type: 'rating', min: 1, max: 5 },
        { name: 'sentiment', type: 'single_choice', options: ['x'] },
      ],
    });
    const names = exportQuestions([classification, old]).map((q) => q.name);
    expect(names).toEqual(['sentiment', 'topics', 'note', 'legacy']);
    // the newest version's definition wins for a shared name
    expect(exportQuestions([classification, old])[0]).toMatchObject({ options: ['pos', 'neg'] });
  });
});

describe('jsonl and json', () => {
  const a = JSON.stringify(record({ id: 'a' }));
  const b = JSON.stringify(record({ id: 'b', data: { text: 'línea\nnueva 😀' } }));

  it('jsonl passes each record through, one per line', () => {
    const w = new JsonlWriter();
    expect(w.head() + w.write(a) + w.write(b) + w.tail()).toBe(`${a}\n${b}\n`);
    expect(w.rows).toBe(2);
  });

  it('json writes one array, an element per line', () => {
    const w = new JsonArrayWriter();
    const out = w.head() + w.write(a) + w.write(b) + w.tail();
    expect(out).toBe(`[\n${a},\n${b}\n]\n`);
    expect(JSON.parse(out)).toEqual([JSON.parse(a), JSON.parse(b)]);
    expect(w.rows).toBe(2);
  });

  it('an empty json export is an empty array', () => {
    const w = new JsonArrayWriter();
    expect(w.head() + w.tail()).toBe('[]\n');
    expect(JSON.parse(w.head() + w.tail())).toEqual([]);
  });
});

describe('csv', () => {
  const ctx = { configs: [classification], identities: false };

  it('has fixed columns, a column per field and one per question', () => {
    expect(csvLayout([classification], false).header).toEqual([
      'task_id',
      'external_id',
      'annotation_id',
      'annotator',
      'status',
      'config_version',
      'lead_time_ms',
      'created_at',
      'submitted_at',
      'review_verdict',
      'review_comment',
      'reviewer',
      'reviewed_at',
      'data.text',
      'sentiment',
      'topics',
      'note',
    ]);
  });

  it('adds identity columns when asked, and renames a question that shadows a fixed column', () => {
    const shadow = config({
      fields: [{ name: 'text', type: 'text' }],
      questions: [{ name: 'status', type: 'single_choice', options: ['ok'] }],
    });
    const { header } = csvLayout([shadow], true);
    expect(header).toContain('annotator_email');
    expect(header).toContain('reviewer_email');
    expect(header.slice(-1)).toEqual(['answer.status']);
    expect(header.filter((h) => h === 'status')).toHaveLength(1);
  });

  it('writes one row per annotation, CRLF line ends, non-scalar answers as JSON', () => {
    const w = new CsvWriter(ctx);
    const out = run(w, [
      record({
        data: { text: 'Hello, "world"' },
        annotations: [
          annotation({ result: { sentiment: 'pos', topics: ['a', 'b'] } }),
          annotation({
            id: 'a2',
            annotator: 'annotator-bbbbbbbbbbbb',
            status: 'accepted',
            leadTimeMs: null,
            result: { sentiment: 'neg', topics: null, note: 'line one\nline two' },
            review: {
              verdict: 'accept',
              comment: 'fine',
              reviewer: 'annotator-cccccccccccc',
              reviewedAt: '2025-01-03T00:00:00.000Z',
            },
          }),
        ],
      }),
    ]);
    const lines = out.split('\r\n');
    expect(lines[1]).toBe(
      'task-1,doc-1,a0000000-0000-4000-8000-000000000001,annotator-0123456789ab,submitted,1,1500,' +
        '2025-01-02T03:04:05.006Z,2025-01-02T03:05:00.000Z,,,,,"Hello, ""world""",pos,"[""a"",""b""]",',
    );
    expect(lines[2]).toBe(
      'task-1,doc-1,a2,annotator-bbbbbbbbbbbb,accepted,1,,2025-01-02T03:04:05.006Z,2025-01-02T03:05:00.000Z,' +
        'accept,fine,annotator-cccccccccccc,2025-01-03T00:00:00.000Z,"Hello, ""world""",neg,,"line one\nline two"',
    );
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
    expect(w.rows).toBe(2);
  });

  it('gives a task without annotations one row with empty annotation cells', () => {
    const w = new CsvWriter(ctx);
    const out = run(w, [record({ data: { text: 'x' } })]);
    expect(out.split('\r\n')[1]).toBe('task-1,doc-1,,,,,,,,,,,,x,,,');
    expect(w.rows).toBe(1);
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['＝1+1', "'＝1+1"],
    ['=1,2', `"'=1,2"`],
    ['a=1', 'a=1'],
    ['', ''],
  ])('escapes a formula cell %j', (value, cell) => {
    const w = new CsvWriter(ctx);
    const out = run(w, [
      record({
        externalId: value,
        data: { text: value },
        annotations: [annotation({ result: { note: value } })],
      }),
    ]);
    const row = out.split('\r\n')[1]!;
    expect(row.startsWith(`task-1,${cell},`)).toBe(true);
    expect(row.endsWith(`,${cell},pos,,${cell}`) || row.endsWith(`,${cell},,,${cell}`)).toBe(true);
  });

  it('escapes formula cells in every column, negative numbers included', () => {
    const w = new CsvWriter({
      configs: [
        config({
          fields: [{ name: 'text', type: 'text' }],
          questions: [{ name: 'score', type: 'rating', min: -3, max: 3 }],
        }),
      ],
      identities: false,
    });
    const out = run(w, [
      record({ data: { text: '@x' }, annotations: [annotation({ result: { score: -2 } })] }),
    ]);
    expect(out.split('\r\n')[1]!.endsWith(",'@x,'-2")).toBe(true);
  });

  it('keeps unicode as it is', () => {
    const w = new CsvWriter(ctx);
    const out = run(w, [record({ data: { text: 'Zürich 東京 👩‍👩‍👧' } })]);
    expect(out).toContain(',Zürich 東京 👩‍👩‍👧,');
  });

  it('csvCell renders scalars plainly and the rest as JSON', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('x')).toBe('x');
    expect(csvCell([{ start: 0, end: 2, label: 'PER' }])).toBe('[{"start":0,"end":2,"label":"PER"}]');
  });

  it('writes identities when the records carry them', () => {
    const w = new CsvWriter({ configs: [classification], identities: true });
    const out = run(w, [
      record({
        annotations: [
          annotation({
            annotatorIdentity: { id: 'u1', email: 'ann@example.test', name: 'Ann' },
            review: {
              verdict: 'reject',
              comment: 'no',
              reviewer: 'annotator-cccccccccccc',
              reviewerIdentity: { id: 'u2', email: 'rev@example.test', name: 'Rev' },
              reviewedAt: '2025-01-03T00:00:00.000Z',
            },
          }),
        ],
      }),
    ]);
    expect(out.split('\r\n')[1]).toContain(',u1,ann@example.test,Ann,rev@example.test,');
  });
});

describe('coco', () => {
  const boxes = config({
    fields: [
      { name: 'image', type: 'image' },
      { name: 'caption', type: 'text' },
    ],
    questions: [
      { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] },
      { name: 'signs', type: 'bboxes', field: 'image', labels: ['stop'], required: false },
      { name: 'ok', type: 'single_choice', options: ['y', 'n'] },
    ],
  });
  const image = (assetId: string, width: number, height: number, mediaType = 'image/png') => ({
    image: { assetId, width, height, mediaType },
  });

  it('converts fractions to pixels', () => {
    expect(boxToPixels({ x: 0.1, y: 0.2, width: 0.5, height: 0.25 }, { width: 640, height: 480 })).toEqual({
      bbox: [64, 96, 320, 120],
      area: 38400,
    });
    expect(boxToPixels({ x: 0, y: 0, width: 1, height: 1 }, { width: 3, height: 7 })).toEqual({
      bbox: [0, 0, 3, 7],
      area: 21,
    });
    // thirds of 100 px: rounded to 1/1000 px, no float noise
    expect(
      boxToPixels({ x: 1 / 3, y: 2 / 3, width: 1 / 3, height: 1 / 3 }, { width: 100, height: 100 }),
    ).toEqual({
      bbox: [33.333, 66.667, 33.333, 33.333],
      area: 1111.089,
    });
  });

  it('writes one document: categories, images, then every annotator’s boxes', () => {
    const w = new CocoWriter({ configs: [boxes], identities: false });
    const out = run(w, [
      record({
        id: 't1',
        externalId: 'img-1',
        images: image('11111111-1111-4111-8111-111111111111', 640, 480),
        annotations: [
          annotation({
            id: 'a1',
            result: {
              objects: [
                { x: 0.1, y: 0.2, width: 0.5, height: 0.25, label: 'car' },
                { x: 0.5, y: 0.5, width: 0.1, height: 0.1, label: 'person' },
              ],
              signs: null,
              ok: 'y',
            },
          }),
          annotation({
            id: 'a2',
            annotator: 'annotator-bbbbbbbbbbbb',
            result: { objects: [], signs: [{ x: 0, y: 0, width: 0.5, height: 0.5, label: 'stop' }] },
          }),
        ],
      }),
      // no asset behind the image field: no image, its boxes left out
      record({
        id: 't2',
        externalId: null,
        annotations: [
          annotation({ id: 'a3', result: { objects: [{ x: 0, y: 0, width: 1, height: 1, label: 'car' }] } }),
        ],
      }),
      record({
        id: 't3',
        externalId: 'img-3',
        images: image('33333333-3333-4333-8333-333333333333', 100, 50, 'image/jpeg'),
        annotations: [
          annotation({
            id: 'a4',
            result: { objects: [{ x: 0.5, y: 0, width: 0.5, height: 1, label: 'person' }] },
          }),
        ],
      }),
    ]);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['info', 'categories', 'images', 'annotations']);
    expect(doc.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'objects' },
      { id: 2, name: 'person', supercategory: 'objects' },
      { id: 3, name: 'stop', supercategory: 'signs' },
    ]);
    expect(doc.images).toEqual([
      {
        id: 1,
        file_name: '11111111-1111-4111-8111-111111111111.png',
        width: 640,
        height: 480,
        task_id: 't1',
        external_id: 'img-1',
        asset_id: '11111111-1111-4111-8111-111111111111',
        field: 'image',
      },
      {
        id: 2,
        file_name: '33333333-3333-4333-8333-333333333333.jpg',
        width: 100,
        height: 50,
        task_id: 't3',
        external_id: 'img-3',
        asset_id: '33333333-3333-4333-8333-333333333333',
        field: 'image',
      },
    ]);
    const common = { iscrowd: 0, segmentation: [], status: 'submitted' };
    expect(doc.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [64, 96, 320, 120],
        area: 38400,
        question: 'objects',
        annotator: 'annotator-0123456789ab',
        annotation_id: 'a1',
        ...common,
      },
      {
        id: 2,
        image_id: 1,
        category_id: 2,
        bbox: [320, 240, 64, 48],
        area: 3072,
        question: 'objects',
        annotator: 'annotator-0123456789ab',
        annotation_id: 'a1',
        ...common,
      },
      {
        id: 3,
        image_id: 1,
        category_id: 3,
        bbox: [0, 0, 320, 240],
        area: 76800,
        question: 'signs',
        annotator: 'annotator-bbbbbbbbbbbb',
        annotation_id: 'a2',
        ...common,
      },
      {
        id: 4,
        image_id: 2,
        category_id: 2,
        bbox: [50, 0, 50, 50],
        area: 2500,
        question: 'objects',
        annotator: 'annotator-0123456789ab',
        annotation_id: 'a4',
        ...common,
      },
    ]);
    expect(w.rows).toBe(4);
    expect(w.images).toBe(2);
  });

  it('keeps categories of labels only older versions had, after the current ones', () => {
    const older = config({
      fields: [{ name: 'image', type: 'image' }],
      questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['truck', 'car'] }],
    });
    const w = new CocoWriter({ configs: [boxes, older], identities: false });
    expect(w.categories.map((c) => `${c.supercategory}/${c.name}`)).toEqual([
      'objects/car',
      'objects/person',
      'objects/truck',
      'signs/stop',
    ]);
  });

  it('names annotators by e-mail with identities', () => {
    const w = new CocoWriter({ configs: [boxes], identities: true });
    const out = run(w, [
      record({
        images: image('11111111-1111-4111-8111-111111111111', 10, 10),
        annotations: [
          annotation({
            annotatorIdentity: { id: 'u', email: 'ann@example.test', name: 'Ann' },
            result: { objects: [{ x: 0, y: 0, width: 1, height: 1, label: 'car' }] },
          }),
        ],
      }),
    ]);
    expect(JSON.parse(out).annotations[0].annotator).toBe('ann@example.test');
  });

  it('is a valid document when empty, or when no question draws boxes', () => {
    expect(JSON.parse(run(new CocoWriter({ configs: [boxes], identities: false }), []))).toMatchObject({
      images: [],
      annotations: [],
    });
    const none = new CocoWriter({ configs: [classification], identities: false });
    expect(
      JSON.parse(run(none, [record({ annotations: [annotation({ result: { sentiment: 'pos' } })] })])),
    ).toMatchObject({
      categories: [],
      images: [],
      annotations: [],
    });
  });
});

describe('conll', () => {
  it('tokenises on whitespace, with code point offsets', () => {
    expect(tokenize('  Ada\tLovelace\n\nwrote  ')).toEqual([
      { text: 'Ada', start: 2, end: 5 },
      { text: 'Lovelace', start: 6, end: 14 },
      { text: 'wrote', start: 16, end: 21 },
    ]);
    // an astral emoji is one code point; a ZWJ family stays one token
    expect(tokenize('😀 👩‍👩‍👧 x')).toEqual([
      { text: '😀', start: 0, end: 1 },
      { text: '👩‍👩‍👧', start: 2, end: 7 },
      { text: 'x', start: 8, end: 9 },
    ]);
    // no-break and ideographic spaces separate too
    expect(tokenize('a\u00a0b\u3000c').map((t) => t.text)).toEqual(['a', 'b', 'c']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \n ')).toEqual([]);
  });

  it('tags tokens BIO', () => {
    const tokens = tokenize('Ada Lovelace wrote for Charles Babbage');
    expect(
      bioTags(tokens, [
        { start: 0, end: 12, label: 'PER' },
        { start: 23, end: 38, label: 'PER' },
      ]),
    ).toEqual(['B-PER', 'I-PER', 'O', 'O', 'B-PER', 'I-PER']);
  });

  it('starts a new entity at each adjacent span of the same label', () => {
    const tokens = tokenize('Paris London');
    expect(
      bioTags(tokens, [
        { start: 6, end: 12, label: 'LOC' },
        { start: 0, end: 5, label: 'LOC' },
      ]),
    ).toEqual(['B-LOC', 'B-LOC']);
  });

  it('tags a token any of whose characters lies in a span', () => {
    // "Lovelace's" with the span on "Lovelace" only
    const tokens = tokenize("Ada Lovelace's notes");
    expect(bioTags(tokens, [{ start: 4, end: 12, label: 'PER' }])).toEqual(['O', 'B-PER', 'O']);
  });

  it('lets the earlier span keep overlapping tokens', () => {
    const tokens = tokenize('New York City Hall');
    expect(
      bioTags(tokens, [
        { start: 9, end: 18, label: 'FAC' },
        { start: 0, end: 13, label: 'LOC' },
      ]),
    ).toEqual(['B-LOC', 'I-LOC', 'I-LOC', 'B-FAC']);
    // the same start: the longer span wins
    expect(
      bioTags(tokenize('New York'), [
        { start: 0, end: 3, label: 'A' },
        { start: 0, end: 8, label: 'B' },
      ]),
    ).toEqual(['B-B', 'I-B']);
  });

  it('counts span offsets in code points across emoji and other scripts', () => {
    const text = 'I 😀 met 👩‍👩‍👧 in 東京 today';
    // code points: I(0) ␠(1) 😀(2) ␠(3) m e t(4-6) ␠(7) family(8-12) ␠(13) i n(14-15) ␠(16) 東京(17-18) ␠(19) today(20-24)
    const tokens = tokenize(text);
    expect(tokens.map((t) => [t.text, t.start, t.end])).toEqual([
      ['I', 0, 1],
      ['😀', 2, 3],
      ['met', 4, 7],
      ['👩‍👩‍👧', 8, 13],
      ['in', 14, 16],
      ['東京', 17, 19],
      ['today', 20, 25],
    ]);
    expect(
      bioTags(tokens, [
        { start: 8, end: 13, label: 'GROUP' },
        { start: 17, end: 19, label: 'LOC' },
        { start: 2, end: 3, label: 'EMO' },
      ]),
    ).toEqual(['O', 'B-EMO', 'O', 'B-GROUP', 'O', 'B-LOC', 'O']);
  });

  it('ignores malformed spans', () => {
    const tokens = tokenize('a b');
    expect(
      bioTags(tokens, [{ start: 1, end: 1, label: 'X' }, { start: 'x', end: 2, label: 'Y' } as never]),
    ).toEqual(['O', 'O']);
  });

  it('writes a document per annotation and span question', () => {
    const ner = config({
      fields: [
        { name: 'text', type: 'text' },
        { name: 'title', type: 'text' },
      ],
      questions: [
        { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'LOC'] },
        { name: 'title_entities', type: 'spans', field: 'title', labels: ['PER'], required: false },
      ],
    });
    const w = new ConllWriter({ configs: [ner], identities: false });
    const out = run(w, [
      record({
        id: 'task-1',
        data: { text: 'Ada 😀 in London', title: 'Notes' },
        annotations: [
          annotation({
            result: {
              entities: [
                { start: 0, end: 3, label: 'PER' },
                { start: 9, end: 15, label: 'LOC' },
              ],
              title_entities: null,
            },
          }),
          annotation({
            annotator: 'annotator-bbbbbbbbbbbb',
            status: 'accepted',
            result: { entities: [], title_entities: [{ start: 0, end: 5, label: 'PER' }] },
          }),
        ],
      }),
    ]);
    expect(out).toBe(
      [
        '-DOCSTART- task-1 annotator-0123456789ab entities submitted',
        '',
        'Ada\tB-PER',
        '😀\tO',
        'in\tO',
        'London\tB-LOC',
        '',
        '-DOCSTART- task-1 annotator-bbbbbbbbbbbb entities accepted',
        '',
        'Ada\tO',
        '😀\tO',
        'in\tO',
        'London\tO',
        '',
        '-DOCSTART- task-1 annotator-bbbbbbbbbbbb title_entities accepted',
        '',
        'Notes\tB-PER',
        '',
        '',
      ].join('\n'),
    );
    expect(w.rows).toBe(3);
  });

  it('formats a document exactly', () => {
    const tokens = tokenize('a b');
    expect(conllDocument('t x q s', tokens, ['B-X', 'O'])).toBe('-DOCSTART- t x q s\n\na\tB-X\nb\tO\n\n');
  });

  it('writes nothing when no question is about spans', () => {
    const w = new ConllWriter({ configs: [classification], identities: false });
    expect(run(w, [record({ annotations: [annotation({ result: { sentiment: 'pos' } })] })])).toBe('');
  });
});

describe('preference', () => {
  const responses = [
    { id: 'r1', text: 'first' },
    { id: 'r2', text: 'second' },
    { id: 'r3', text: 'third' },
  ];
  const rlhf = config({
    fields: [
      { name: 'meta', type: 'image' },
      { name: 'prompt', type: 'markdown' },
      { name: 'responses', type: 'responses' },
    ],
    questions: [
      { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
      { name: 'order', type: 'ranking', field: 'responses', required: false },
    ],
  });

  it('takes the prompt from the first text, markdown or chat field', () => {
    expect(promptOf(rlhf, { prompt: '**Hi**', responses })).toBe('**Hi**');
    const chat = config({
      fields: [
        { name: 'dialogue', type: 'chat' },
        { name: 'text', type: 'text' },
        { name: 'responses', type: 'responses' },
      ],
      questions: [{ name: 'better', type: 'pairwise', field: 'responses' }],
    });
    const turns = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ];
    expect(promptOf(chat, { dialogue: turns, text: 'ignored' })).toEqual(turns);
    const none = config({
      fields: [{ name: 'responses', type: 'responses' }],
      questions: [{ name: 'better', type: 'pairwise', field: 'responses' }],
    });
    expect(promptOf(none, { responses })).toBe('');
  });

  it('turns a pairwise answer into one pair and a tie into none', () => {
    const ids = (pairs: ReturnType<typeof preferredPairs>) => pairs.map(([a, b]) => `${a.id}>${b.id}`);
    expect(ids(preferredPairs('pairwise', 'a', responses))).toEqual(['r1>r2']);
    expect(ids(preferredPairs('pairwise', 'b', responses))).toEqual(['r2>r1']);
    expect(ids(preferredPairs('pairwise', 'tie', responses))).toEqual([]);
    expect(ids(preferredPairs('pairwise', 'a', responses.slice(0, 1)))).toEqual([]);
  });

  it('turns a ranking into every ordered pair, best over worse', () => {
    const ids = (pairs: ReturnType<typeof preferredPairs>) => pairs.map(([a, b]) => `${a.id}>${b.id}`);
    expect(ids(preferredPairs('ranking', ['r3', 'r1', 'r2'], responses))).toEqual([
      'r3>r1',
      'r3>r2',
      'r1>r2',
    ]);
    const four = [...responses, { id: 'r4', text: 'fourth' }];
    expect(preferredPairs('ranking', ['r1', 'r2', 'r3', 'r4'], four)).toHaveLength(6);
    // an id the task does not have is skipped
    expect(ids(preferredPairs('ranking', ['r2', 'zz', 'r1'], responses))).toEqual(['r2>r1']);
  });

  it('writes a line per pair with the trainer keys first', () => {
    const w = new PreferenceWriter({ configs: [rlhf], identities: false });
    const out = run(w, [
      record({
        id: 'task-1',
        externalId: 'p-1',
        data: { prompt: 'Say hi', responses },
        annotations: [
          annotation({ result: { better: 'b', order: ['r1', 'r3', 'r2'] } }),
          annotation({ annotator: 'annotator-bbbbbbbbbbbb', result: { better: 'tie', order: null } }),
        ],
      }),
    ]);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0])).toEqual([
      'prompt',
      'chosen',
      'rejected',
      'task_id',
      'external_id',
      'question',
      'annotator',
      'status',
      'chosen_id',
      'rejected_id',
    ]);
    expect(lines[0]).toEqual({
      prompt: 'Say hi',
      chosen: 'second',
      rejected: 'first',
      task_id: 'task-1',
      external_id: 'p-1',
      question: 'better',
      annotator: 'annotator-0123456789ab',
      status: 'submitted',
      chosen_id: 'r2',
      rejected_id: 'r1',
    });
    expect(lines.slice(1).map((l) => `${l.question}:${l.chosen_id}>${l.rejected_id}`)).toEqual([
      'order:r1>r3',
      'order:r1>r2',
      'order:r3>r2',
    ]);
    expect(w.rows).toBe(4);
  });

  it('writes the conversational form for a chat prompt', () => {
    const chat = config({
      fields: [
        { name: 'dialogue', type: 'chat' },
        { name: 'responses', type: 'responses' },
      ],
      questions: [{ name: 'better', type: 'pairwise', field: 'responses' }],
    });
    const w = new PreferenceWriter({ configs: [chat], identities: false });
    const dialogue = [{ role: 'user', content: 'Hi 👋' }];
    const [line] = run(w, [
      record({ data: { dialogue, responses }, annotations: [annotation({ result: { better: 'a' } })] }),
    ])
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line.prompt).toEqual(dialogue);
    expect(line.chosen).toEqual([{ role: 'assistant', content: 'first' }]);
    expect(line.rejected).toEqual([{ role: 'assistant', content: 'second' }]);
  });

  it('writes nothing when no question compares responses', () => {
    const w = new PreferenceWriter({ configs: [classification], identities: false });
    expect(run(w, [record({ annotations: [annotation({ result: { sentiment: 'pos' } })] })])).toBe('');
  });
});

describe('createExportWriter', () => {
  it('makes the writer of each format', () => {
    const ctx = { configs: [classification], identities: false };
    expect(createExportWriter('jsonl', ctx)).toBeInstanceOf(JsonlWriter);
    expect(createExportWriter('json', ctx)).toBeInstanceOf(JsonArrayWriter);
    expect(createExportWriter('csv', ctx)).toBeInstanceOf(CsvWriter);
    expect(createExportWriter('coco', ctx)).toBeInstanceOf(CocoWriter);
    expect(createExportWriter('conll', ctx)).toBeInstanceOf(ConllWriter);
    expect(createExportWriter('preference', ctx)).toBeInstanceOf(PreferenceWriter);
    expect(createExportWriter('coco', ctx).passes).toBe(2);
    expect(EXPORT_MEDIA.csv).toEqual({ contentType: 'text/csv; charset=utf-8', extension: 'csv' });
  });
});
