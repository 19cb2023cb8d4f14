import fs from 'node:fs';
import { once } from 'node:events';
import { copyText } from './copy';
import { prng, sentence } from './text';

/** Generated tasks, the same for a given count and seed, written as the API's NDJSON or as COPY rows. */
export interface TextTask {
  externalId: string;
  data: { text: string };
}

/**
 * `count` text tasks whose NDJSON lines average about 200 bytes: `{"externalId":"t-0000001","data":{"text":"…"}}`,
 * the text 115 to 185 characters of varied words.
 */
export function* textTasks(count: number, seed = 1): Generator<TextTask> {
  const rand = prng(seed);
  const width = Math.max(7, String(count).length);
  for (let i = 1; i <= count; i++) {
    yield {
      externalId: `t-${String(i).padStart(width, '0')}`,
      data: { text: sentence(rand, 115 + Math.floor(rand() * 71)) },
    };
  }
}

/** Lines to a file through a buffer, respecting the stream's backpressure; resolves with the bytes written. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = fs.createWriteStream(file);
  let buffer = '';
  let bytes = 0;
  const flush = async () => {
    bytes += Buffer.byteLength(buffer);
    if (!out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };
  for (const line of lines) {
    buffer += line + '\n';
    if (buffer.length >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return bytes;
}

export function* ndjsonLines<T>(rows: Iterable<T>): Generator<string> {
  for (const r of rows) yield JSON.stringify(r);
}

/** COPY text-format rows of `tasks (org_id, project_id, external_id, data)`. */
export function* taskCopyLines(
  orgId: string,
  projectId: string,
  tasks: Iterable<TextTask>,
): Generator<string> {
  const prefix = `${orgId}\t${projectId}\t`;
  for (const t of tasks) yield `${prefix}${copyText(t.externalId)}\t${copyText(JSON.stringify(t.data))}`;
}
