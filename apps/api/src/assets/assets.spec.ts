import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors/app-error';
import { ASSET_RESPONSE_HEADERS } from './assets.controller';
import { assetFilePath, assetsRoot, placeAssetFile, uploadTempDir } from './asset-storage';
import { dimensionProblem, HEAD_BYTES, readImageInfo, sniffImageType } from './image-sniff';
import { cleanFilename, receiveImageUpload, type UploadSource } from './upload-receiver';

// ---------------------------------------------------------------------------------------------------
// Real images. PNGs are encoded here (zlib and CRC-32 are all PNG needs); the others were made with
// ImageMagick and cwebp and are embedded as they came out.

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real RGB PNG of the given size, a gradient so that it does not compress to nothing. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      raw.set([x & 255, y & 255, (x * y) & 255], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const b64 = (s: string) => Buffer.from(s, 'base64');
const JPEG_3X2 = b64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAACAAMDAREAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAHCf/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/ADoDFU3/2Q==',
);
const JPEG_PROGRESSIVE_5X4 = b64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wgARCAAEAAUDAREAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABUBAQEAAAAAAAAAAAAAAAAAAAUI/9oADAMBAAIQAxAAAAE91SH/AP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAQUCf//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQMBAT8Bf//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQIBAT8Bf//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEABj8Cf//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAT8hf//aAAwDAQACAAMAAAAQX//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQMBAT8Qf//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQIBAT8Qf//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAT8Qf//Z',
);
/** JPEG_3X2 with an EXIF APP1 segment saying "orientation 6" (turned a quarter clockwise). */
const JPEG_EXIF_ROTATED = Buffer.concat([
  JPEG_3X2.subarray(0, 2),
  Buffer.from(
    'ffe10022' +
      Buffer.from('Exif\0\0', 'latin1').toString('hex') +
      '4d4d002a00000008' +
      '0001' +
      '011200030000000100060000' +
      '00000000',
    'hex',
  ),
  JPEG_3X2.subarray(2),
]);
const GIF_1X1 = b64('R0lGODlhAQABAPAAAP///wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==');
const GIF_ANIMATED_7X5 = b64(
  'R0lGODlhBwAFAPAAAP8AAAAAACH5BAAAAAAAIf8LTkVUU0NBUEUyLjADAQAAACwAAAAABwAFAAACBYSPqbsFACH5BAAKAAAALAAAAAAHAAUAgAAA/wAAAAIFhI+puwUAOw==',
);
const WEBP_LOSSY_3X2 = b64(
  'UklGRjgAAABXRUJQVlA4ICwAAACQAQCdASoDAAIAAsBMJaACdLoAA5gA/u5DH+5sc4twV/9tD/9aH/60P+lAAA==',
);
const WEBP_LOSSLESS_3X2 = b64('UklGRhwAAABXRUJQVlA4TA8AAAAvAkAAAAcQ/Y/+ByKi/wEA');
const WEBP_EXTENDED_3X2 = b64(
  'UklGRloAAABXRUJQVlA4WAoAAAAQAAAAAgAAAQAAQUxQSAcAAAAAf39/f39/AFZQOCAsAAAAkAEAnQEqAwACAALATCWgAnS6AAOYAP7uQx/ubHOLcFf/bQ//Wh/+tD/pQAA=',
);
const HTML_PAGE = Buffer.from(
  '<!doctype html><html><body><script>fetch("/api/v1/users")</script></body></html>',
);
const SVG = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
);

describe('recognising images by their bytes', () => {
  it.each([
    ['a 1×1 PNG', png(1, 1), 'image/png', 1, 1],
    ['a 640×480 PNG', png(640, 480), 'image/png', 640, 480],
    ['a baseline JPEG', JPEG_3X2, 'image/jpeg', 3, 2],
    ['a progressive JPEG', JPEG_PROGRESSIVE_5X4, 'image/jpeg', 5, 4],
    ['a GIF', GIF_1X1, 'image/gif', 1, 1],
    ['an animated GIF', GIF_ANIMATED_7X5, 'image/gif', 7, 5],
    ['a lossy WebP', WEBP_LOSSY_3X2, 'image/webp', 3, 2],
    ['a lossless WebP', WEBP_LOSSLESS_3X2, 'image/webp', 3, 2],
    ['an extended WebP with alpha', WEBP_EXTENDED_3X2, 'image/webp', 3, 2],
  ])('reads %s', (_name, bytes, mediaType, width, height) => {
    expect(sniffImageType(bytes)).toBe(mediaType);
    expect(readImageInfo(bytes)).toEqual({ mediaType, width, height });
  });

  it('records a JPEG turned a quarter by EXIF with its sides as the browser shows them', () => {
    expect(readImageInfo(JPEG_3X2)).toEqual({ mediaType: 'image/jpeg', width: 3, height: 2 });
    expect(readImageInfo(JPEG_EXIF_ROTATED)).toEqual({ mediaType: 'image/jpeg', width: 2, height: 3 });
  });

  it('needs only the head of a large image', () => {
    const big = png(1200, 1100);
    expect(big.length).toBeGreaterThan(HEAD_BYTES);
    expect(readImageInfo(big.subarray(0, HEAD_BYTES))).toEqual({
      mediaType: 'image/png',
      width: 1200,
      height: 1100,
    });
  });

  it.each([
    ['an HTML page', HTML_PAGE],
    ['an SVG image', SVG],
    ['a script', Buffer.from('#!/bin/sh\nrm -rf /\n')],
    ['zero bytes', Buffer.alloc(0)],
    ['a BMP', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60, 1)])],
    ['a PNG cut off before its size', png(4, 4).subarray(0, 20)],
    ['a PNG signature followed by junk', Buffer.concat([png(1, 1).subarray(0, 8), Buffer.alloc(40, 0x41)])],
    ['a GIF header without its screen descriptor', Buffer.from('GIF89a\x01\x00', 'latin1')],
    [
      'a JPEG without a frame header',
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xd9]),
    ],
    [
      'a RIFF WAVE file',
      Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(30)]),
    ],
    [
      'a WebP with an unknown chunk',
      Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8Q', 'latin1'), Buffer.alloc(30)]),
    ],
    ['a PNG of zero width', png(0, 3)],
  ])('refuses %s', (_name, bytes) => {
    expect(readImageInfo(bytes)).toBeNull();
  });

  it('refuses a cut-off header in a view of larger memory instead of reading the bytes after it', () => {
    // Node's chunks are often views into larger (pooled) buffers: cut the JPEG inside its frame
    // header, in a buffer whose following bytes would read as a size of 4369×4369.
    const cut = JPEG_3X2.indexOf(Buffer.from([0xff, 0xc0])) + 3;
    const backing = Buffer.alloc(1000, 0x11);
    JPEG_3X2.copy(backing, 0, 0, cut);
    expect(readImageInfo(backing.subarray(0, cut))).toBeNull();
  });

  it('takes a GIF with a script appended for the GIF it is (the headers keep browsers from running it)', () => {
    const polyglot = Buffer.concat([GIF_1X1, Buffer.from('<script>alert(document.cookie)</script>')]);
    expect(readImageInfo(polyglot)).toEqual({ mediaType: 'image/gif', width: 1, height: 1 });
    expect(ASSET_RESPONSE_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(ASSET_RESPONSE_HEADERS['Content-Security-Policy']).toBe("default-src 'none'; sandbox");
    expect(ASSET_RESPONSE_HEADERS['Cache-Control']).toBe('private, no-store');
  });

  it('caps the dimensions against decompression bombs', () => {
    expect(dimensionProblem({ width: 30_000, height: 6_000 })).toBeNull();
    expect(dimensionProblem({ width: 30_001, height: 1 })).toMatch(/30001×1 pixels/);
    expect(dimensionProblem({ width: 1, height: 30_001 })).not.toBeNull();
    expect(dimensionProblem({ width: 20_000, height: 10_001 })).toMatch(/200 megapixels/);
    // A few hundred bytes may declare such a canvas.
    const bomb = readImageInfo(png(1, 1).fill(0x75, 16, 24));
    expect(bomb).not.toBeNull();
    expect(dimensionProblem(bomb!)).not.toBeNull();
  });
});

describe('asset paths', () => {
  const dataDir = '/var/lib/enclave';
  const org = '6f1c2b9e-2d4a-4c1e-9a57-3b0e8f1d2c3a';
  const sha = createHash('sha256').update('x').digest('hex');

  it('are content-addressed under <dataDir>/assets/<org>/<sha[0:2]>/<sha>', () => {
    expect(assetFilePath(dataDir, org, sha)).toBe(`/var/lib/enclave/assets/${org}/${sha.slice(0, 2)}/${sha}`);
    expect(uploadTempDir(dataDir)).toBe('/var/lib/enclave/assets/tmp');
    expect(assetsRoot('relative/dir')).toBe(path.resolve('relative/dir/assets'));
  });

  it.each([
    ['a traversal as the organization', '../../etc', sha],
    ['an organization id with a slash', `${org}/..`, sha],
    ['an upper-case organization id', org.toUpperCase(), sha],
    ['an empty organization id', '', sha],
    ['a traversal as the digest', org, '../../../../etc/passwd'],
    ['a short digest', org, sha.slice(1)],
    ['an upper-case digest', org, sha.toUpperCase()],
    ['a digest with a newline', org, `${sha}\n`],
  ])('refuse %s', (_name, orgId, digest) => {
    expect(() => assetFilePath(dataDir, orgId, digest)).toThrow(/asset path/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Receiving uploads, from a stream that stands in for the HTTP request.

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

const BOUNDARY = '----enclave-test-boundary';

function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(
      Buffer.from(head),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** A request that sends `body` in small chunks, then ends (or not, with `end: false`). */
function fakeRequest(
  body: Buffer,
  headers: Record<string, string> = {},
  opts: { end?: boolean; declareLength?: boolean } = {},
): UploadSource {
  const stream = new PassThrough();
  const req = Object.assign(stream, { headers: {} }) as UploadSource & PassThrough;
  req.headers = {
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    ...(opts.declareLength === false ? {} : { 'content-length': String(body.length) }),
    ...headers,
  };
  setImmediate(() => {
    for (let i = 0; i < body.length; i += 1000) stream.write(body.subarray(i, i + 1000));
    if (opts.end !== false) stream.end();
  });
  return req;
}

async function expectAppError(p: Promise<unknown>, status: number, message?: RegExp): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(status);
  if (message) expect((err as AppError).message).toMatch(message);
  return err as AppError;
}

describe('receiving an upload', () => {
  let dir: string;
  let tmpDir: string;
  const receive = (req: UploadSource, maxBytes = 1024 * 1024, deadlineMs = 10_000) =>
    receiveImageUpload(req, { maxBytes, tmpDir, deadlineMs });
  const leftovers = () => fs.readdir(tmpDir).catch(() => []);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-assets-'));
    tmpDir = path.join(dir, 'assets', 'tmp');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes the file part to a private temporary file, hashed, with its head kept', async () => {
    const image = png(400, 300);
    const req = fakeRequest(
      multipart([
        { name: 'note', data: 'a field, ignored' },
        { name: 'file', filename: 'street.png', type: 'image/png', data: image },
      ]),
    );
    const got = await receive(req);
    expect(got.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    expect(got.byteSize).toBe(image.length);
    expect(got.head.equals(image.subarray(0, HEAD_BYTES))).toBe(true);
    expect(got.filename).toBe('street.png');
    expect(path.dirname(got.tmpPath)).toBe(tmpDir);
    expect(path.basename(got.tmpPath)).toMatch(/^[0-9a-f]{32}$/);
    expect((await fs.readFile(got.tmpPath)).equals(image)).toBe(true);
    expect((await fs.stat(got.tmpPath)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(tmpDir)).mode & 0o777).toBe(0o700);
  });

  it('ignores the declared type and the name: an HTML page called cat.png is read, then not an image', async () => {
    const got = await receive(
      fakeRequest(multipart([{ name: 'file', filename: 'cat.png', type: 'image/png', data: HTML_PAGE }])),
    );
    expect(readImageInfo(got.head)).toBeNull();
  });

  it('keeps only a cleaned-up base name of the client file name, never a path', async () => {
    const got = await receive(
      fakeRequest(multipart([{ name: 'file', filename: '../../etc/passwd', data: GIF_1X1 }])),
    );
    expect(got.filename).toBe('passwd');
    expect(path.dirname(got.tmpPath)).toBe(tmpDir);
    expect(cleanFilename('..\\..\\boot.ini')).toBe('boot.ini');
    expect(cleanFilename('a\u0000b\u001b[31m.png')).toBe('ab[31m.png');
    expect(cleanFilename('..')).toBeNull();
    expect(cleanFilename('')).toBeNull();
    expect(cleanFilename(undefined)).toBeNull();
    expect(cleanFilename('é'.repeat(300))).toHaveLength(255);
  });

  it('accepts a file of exactly the limit and refuses one byte more with 413, leaving no file', async () => {
    const image = png(40, 40);
    const exact = await receive(
      fakeRequest(multipart([{ name: 'file', filename: 'x.png', data: image }])),
      image.length,
    );
    expect(exact.byteSize).toBe(image.length);
    await fs.rm(exact.tmpPath);

    const err = await expectAppError(
      receive(
        fakeRequest(
          multipart([{ name: 'file', filename: 'x.png', data: image }]),
          {},
          { declareLength: false },
        ),
        image.length - 1,
      ),
      413,
      new RegExp(`limit of ${image.length - 1} bytes`),
    );
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a body whose Content-Length is far over the limit before reading it', async () => {
    const req = fakeRequest(Buffer.alloc(10), { 'content-length': String(10 * 1024 * 1024) }, { end: false });
    await expectAppError(receive(req, 1024 * 1024), 413);
    expect(req.readableFlowing).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it.each([
    ['JSON', 'application/json'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['an image sent raw', 'image/png'],
    ['no content type', ''],
  ])('refuses %s with 415', async (_name, contentType) => {
    const req = fakeRequest(GIF_1X1, { 'content-type': contentType });
    if (!contentType) delete req.headers['content-type'];
    const err = await expectAppError(receive(req), 415, /multipart\/form-data/);
    expect(err.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body without a file part, and a plain field named file', async () => {
    await expectAppError(
      receive(fakeRequest(multipart([{ name: 'note', data: 'x' }]))),
      400,
      /file: required/,
    );
    await expectAppError(
      receive(fakeRequest(multipart([{ name: 'file', data: GIF_1X1 }]))),
      400,
      /file part/,
    );
  });

  it('refuses a file part with another name, and a second file, leaving no file', async () => {
    await expectAppError(
      receive(fakeRequest(multipart([{ name: 'image', filename: 'a.gif', data: GIF_1X1 }]))),
      400,
      /named "image"/,
    );
    await expectAppError(
      receive(
        fakeRequest(
          multipart([
            { name: 'file', filename: 'a.gif', data: GIF_1X1 },
            { name: 'file', filename: 'b.gif', data: GIF_ANIMATED_7X5 },
          ]),
        ),
      ),
      400,
      /more than one file/,
    );
    expect(await leftovers()).toEqual([]);
  });

  it('survives a body cut off inside a part it ignores', async () => {
    const whole = multipart([{ name: 'image', filename: 'a.png', data: png(200, 200) }]);
    await expectAppError(receive(fakeRequest(whole.subarray(0, whole.length - 5000))), 400);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a body with too many parts', async () => {
    const parts: Part[] = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
    await expectAppError(
      receive(fakeRequest(multipart([...parts, { name: 'file', filename: 'x.png', data: GIF_1X1 }]))),
      400,
      /too many/,
    );
  });

  it('refuses a multipart type without a boundary, and a body cut off in the middle of the file', async () => {
    await expectAppError(
      receive(fakeRequest(GIF_1X1, { 'content-type': 'multipart/form-data' })),
      400,
      /cannot be read/,
    );
    const whole = multipart([{ name: 'file', filename: 'x.png', data: png(200, 200) }]);
    await expectAppError(receive(fakeRequest(whole.subarray(0, whole.length - 5000))), 400, /cannot be read/);
    expect(await leftovers()).toEqual([]);
  });

  it('gives up on a body that does not arrive in time, leaving no file', async () => {
    const whole = multipart([{ name: 'file', filename: 'x.png', data: png(200, 200) }]);
    const req = fakeRequest(whole.subarray(0, whole.length - 5000), {}, { end: false });
    await expectAppError(receive(req, 1024 * 1024, 200), 400, /did not finish within/);
    expect(await leftovers()).toEqual([]);
  });

  it('stops when the client goes away mid-upload, leaving no file', async () => {
    const whole = multipart([{ name: 'file', filename: 'x.png', data: png(200, 200) }]);
    const req = fakeRequest(whole.subarray(0, whole.length - 5000), {}, { end: false });
    req.complete = false;
    setTimeout(() => req.destroy(), 50);
    await expectAppError(receive(req), 400, /aborted/);
    expect(await leftovers()).toEqual([]);
  });
});

describe('placing a file at its content address', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-place-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('moves the upload into place, or drops it when the same bytes are there already', async () => {
    const org = '6f1c2b9e-2d4a-4c1e-9a57-3b0e8f1d2c3a';
    const bytes = png(2, 2);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const final = assetFilePath(dir, org, sha);
    const tmp1 = path.join(dir, 'upload-1');
    await fs.writeFile(tmp1, bytes, { mode: 0o600 });
    await placeAssetFile(tmp1, final);
    expect((await fs.readFile(final)).equals(bytes)).toBe(true);
    await expect(fs.stat(tmp1)).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(path.dirname(final))).mode & 0o777).toBe(0o700);

    const tmp2 = path.join(dir, 'upload-2');
    await fs.writeFile(tmp2, bytes);
    const before = await fs.stat(final);
    await placeAssetFile(tmp2, final);
    await expect(fs.stat(tmp2)).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(final)).ino).toBe(before.ino);
  });
});
