import type { BoxValue } from '@enclave/contracts';
import {
  annotatorName,
  isPlainObject,
  labelsAcrossVersions,
  type ExportContext,
  type ExportImage,
  type ExportRecord,
} from './record';
import type { ExportWriter } from './writer';

/**
 * COCO object detection (`{info, categories, images, annotations}`), one JSON document, for the box
 * questions. COCO keeps images and boxes in two arrays, so the writer reads the records twice: pass 1
 * writes an image per (task, image field that a box question reads), pass 2 the boxes. Image ids are
 * numbered 1, 2, … in export order; both passes see the same records in the same order (one statement,
 * one snapshot), so pass 2 numbers them again instead of remembering them.
 *
 * Boxes are stored as fractions of the image; COCO wants pixels: `[x·W, y·H, w·W, h·H]` from the asset's
 * width and height, rounded to 1/1000 px. A category per (question, label), numbered from 1 in the
 * configuration's order (labels that only older versions had come after); its supercategory is the
 * question. Every annotator's boxes are listed, each with its annotator, status and annotation id.
 * A task whose image field names no asset of the project has no image and its boxes are left out.
 */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  task_id: string;
  external_id: string | null;
  asset_id: string;
  field: string;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  segmentation: [];
  question: string;
  annotator: string;
  status: string;
  annotation_id: string;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** A box in fractions of the image to COCO's `[x, y, width, height]` in pixels. */
export function boxToPixels(
  box: Pick<BoxValue, 'x' | 'y' | 'width' | 'height'>,
  image: { width: number; height: number },
) {
  const bbox: [number, number, number, number] = [
    round3(box.x * image.width),
    round3(box.y * image.height),
    round3(box.width * image.width),
    round3(box.height * image.height),
  ];
  return { bbox, area: round3(bbox[2] * bbox[3]) };
}

function isBox(v: unknown): v is BoxValue {
  return (
    isPlainObject(v) &&
    typeof v.x === 'number' &&
    typeof v.y === 'number' &&
    typeof v.width === 'number' &&
    typeof v.height === 'number' &&
    typeof v.label === 'string'
  );
}

export class CocoWriter implements ExportWriter {
  readonly passes = 2;
  /** Boxes written. */
  rows = 0;
  images = 0;
  readonly categories: CocoCategory[] = [];
  private readonly categoryIds = new Map<string, number>();
  private readonly questions: { name: string; field: string }[] = [];
  /** The image fields that box questions read, in order; an image per task and field. */
  private readonly fields: string[] = [];
  private nextImage = 0;
  private started = [false, false];

  constructor(ctx: ExportContext) {
    for (const [name, { field, labels }] of labelsAcrossVersions(ctx.configs, 'bboxes')) {
      this.questions.push({ name, field });
      if (!this.fields.includes(field)) this.fields.push(field);
      for (const label of labels) {
        const id = this.categories.length + 1;
        this.categories.push({ id, name: label, supercategory: name });
        this.categoryIds.set(`${name}\u0000${label}`, id);
      }
    }
  }

  head(): string {
    const info = { description: 'Enclave export: boxes in pixels, one category per question and label' };
    return `{"info":${JSON.stringify(info)},"categories":${JSON.stringify(this.categories)},"images":[`;
  }

  between(): string {
    this.nextImage = 0;
    return '\n],"annotations":[';
  }

  tail(): string {
    return '\n]}\n';
  }

  write(recordJson: string, pass: number): string {
    if (this.fields.length === 0) return '';
    const record = JSON.parse(recordJson) as ExportRecord;
    return pass === 1 ? this.imagesOf(record) : this.boxesOf(record);
  }

  /** The images of one task in field order, with their ids. */
  private numberImages(record: ExportRecord): Map<string, { id: number; image: ExportImage }> {
    const out = new Map<string, { id: number; image: ExportImage }>();
    for (const field of this.fields) {
      const image = record.images?.[field];
      if (image && Object.hasOwn(record.images!, field)) out.set(field, { id: ++this.nextImage, image });
    }
    return out;
  }

  private imagesOf(record: ExportRecord): string {
    let out = '';
    for (const [field, { id, image }] of this.numberImages(record)) {
      const entry: CocoImage = {
        id,
        file_name: `${image.assetId}.${EXTENSIONS[image.mediaType] ?? 'img'}`,
        width: image.width,
        height: image.height,
        task_id: record.id,
        external_id: record.externalId,
        asset_id: image.assetId,
        field,
      };
      out += this.element(0, JSON.stringify(entry));
      this.images++;
    }
    return out;
  }

  private boxesOf(record: ExportRecord): string {
    const images = this.numberImages(record);
    let out = '';
    for (const a of record.annotations) {
      for (const q of this.questions) {
        const target = images.get(q.field);
        const boxes = Object.hasOwn(a.result, q.name) ? a.result[q.name] : null;
        if (!target || !Array.isArray(boxes)) continue;
        for (const box of boxes) {
          if (!isBox(box)) continue;
          const category = this.categoryIds.get(`${q.name}\u0000${box.label}`);
          if (category === undefined) continue;
          const entry: CocoAnnotation = {
            id: this.rows + 1,
            image_id: target.id,
            category_id: category,
            ...boxToPixels(box, target.image),
            iscrowd: 0,
            segmentation: [],
            question: q.name,
            annotator: annotatorName(a),
            status: a.status,
            annotation_id: a.id,
          };
          out += this.element(1, JSON.stringify(entry));
          this.rows++;
        }
      }
    }
    return out;
  }

  /** An array element, after a comma unless it is the array's first. */
  private element(array: 0 | 1, json: string): string {
    const first = !this.started[array];
    this.started[array] = true;
    return (first ? '\n' : ',\n') + json;
  }
}
