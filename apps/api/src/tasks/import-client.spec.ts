import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDetail, formatFromPath, importFile } from './import-client';

let dir: string;
beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'enclave-import-client-'));
});
afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function file(name: string, bytes: number): Promise<string> {
  const p = path.join(dir, name);
  await fs.promises.writeFile(p, Buffer.alloc(bytes, 'a'));
  return p;
}

describe('formatFromPath and formatDetail', () => {
  it('picks the format from the extension', () => {
    expect(formatFromPath('/x/tasks.JSON')).toBe('json');
    expect(formatFromPath('a.ndjson')).toBe('ndjson');
    expect(formatFromPath('a.jsonl')).toBe('ndjson');
    expect(formatFromPath('a.csv')).toBe('csv');
    expect(formatFromPath('a.txt')).toBeNull();
    expect(formatFromPath('noext')).toBeNull();
  });

  it('renders a bad line as "line: path: message"', () => {
    expect(formatDetail({ line: 12, path: 'data.text', message: 'required' })).toBe(
      'line 12: data.text: required',
    );
    expect(formatDetail({ line: 3, message: 'not valid JSON' })).toBe('line 3: not valid JSON');
    expect(formatDetail({ message: 'whole body' })).toBe('whole body');
  });
});

describe('importFile', () => {
  it('streams the whole file with the token, the type and the length, reporting progress', async () => {
    const seen: { headers?: http.IncomingHttpHeaders; url?: string; bytes: number } = { bytes: 0 };
    const server = await serve((req, res) => {
      seen.headers = req.headers;
      seen.url = req.url;
      req.on('data', (c: Buffer) => (seen.bytes += c.length));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ imported: 42 }));
      });
    });
    try {
      const f = await file('t.csv', 3 * 1024 * 1024 + 5);
      const progress: number[] = [];
      const result = await importFile({
        url: server.url,
        token: 'enc_secret',
        projectId: 'p-1',
        file: f,
        format: 'csv',
        onProgress: (sent, total) => {
          expect(total).toBe(3 * 1024 * 1024 + 5);
          progress.push(sent);
        },
      });
      expect(result).toEqual({ ok: true, imported: 42 });
      expect(seen.url).toBe('/api/v1/projects/p-1/tasks');
      expect(seen.headers).toMatchObject({
        authorization: 'Bearer enc_secret',
        'content-type': 'text/csv',
        'content-length': String(3 * 1024 * 1024 + 5),
      });
      expect(seen.bytes).toBe(3 * 1024 * 1024 + 5);
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)).toBe(3 * 1024 * 1024 + 5);
    } finally {
      await server.close();
    }
  });

  it('stops sending when the server answers early, and hands back the bad lines', async () => {
    let received = 0;
    const server = await serve((req, res) => {
      // answer at once and throw the rest of the body away, as the API does
      req.on('data', (c: Buffer) => (received += c.length));
      req.once('data', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              code: 'VALIDATION_FAILED',
              message: 'at least 100 bad rows',
              details: [{ line: 1, path: 'data', message: 'required' }],
            },
          }),
        );
      });
    });
    try {
      const f = await file('big.ndjson', 64 * 1024 * 1024);
      const result = await importFile({
        url: server.url,
        token: 't',
        projectId: 'p',
        file: f,
        format: 'ndjson',
      });
      expect(result).toEqual({
        ok: false,
        status: 400,
        code: 'VALIDATION_FAILED',
        message: 'at least 100 bad rows',
        details: [{ line: 1, path: 'data', message: 'required' }],
      });
      expect(received).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it('reports other answers by their error message, and a server that cannot be reached', async () => {
    const server = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'project not found', details: [] } }));
      });
    });
    const f = await file('small.json', 10);
    try {
      expect(
        await importFile({ url: server.url, token: 't', projectId: 'p', file: f, format: 'json' }),
      ).toEqual({
        ok: false,
        status: 404,
        code: 'NOT_FOUND',
        message: 'project not found',
        details: [],
      });
    } finally {
      await server.close();
    }
    await expect(
      importFile({ url: server.url, token: 't', projectId: 'p', file: f, format: 'json' }),
    ).rejects.toThrow(/could not reach/);
    await expect(
      importFile({ url: 'ftp://x', token: 't', projectId: 'p', file: f, format: 'json' }),
    ).rejects.toThrow(/http/);
    await expect(
      importFile({
        url: server.url,
        token: 't',
        projectId: 'p',
        file: path.join(dir, 'missing.json'),
        format: 'json',
      }),
    ).rejects.toThrow(/ENOENT/);
  });
});
