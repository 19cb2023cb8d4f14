import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where asset bytes live: `<dataDir>/assets/<orgId>/<sha256[0:2]>/<sha256>`, content-addressed per
 * organization, and `<dataDir>/assets/tmp/` for uploads in flight. Paths are built only from an
 * organization id (a UUID from the signed-in principal) and a digest the server computed; nothing a
 * request says reaches the file system.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assetsRoot(dataDir: string): string {
  return path.resolve(dataDir, 'assets');
}

/** Uploads are written here first, then renamed into place (same file system, so the rename is atomic). */
export function uploadTempDir(dataDir: string): string {
  return path.join(assetsRoot(dataDir), 'tmp');
}

/** The stored file of an organization's content; throws on anything but a UUID and a hex digest. */
export function assetFilePath(dataDir: string, orgId: string, sha256: string): string {
  if (!UUID.test(orgId)) throw new Error('asset path: the organization id is not a UUID');
  if (!SHA256_HEX.test(sha256)) throw new Error('asset path: not a SHA-256 hex digest');
  const root = assetsRoot(dataDir);
  const file = path.resolve(root, orgId, sha256.slice(0, 2), sha256);
  if (!file.startsWith(root + path.sep)) throw new Error('asset path: outside the asset directory');
  return file;
}

/**
 * Moves a received upload to its content address. The same bytes are already there when another
 * upload (of this or another project of the organization) stored them: the upload is then dropped.
 * Two uploads racing here rename identical bytes over each other, which is harmless.
 */
export async function placeAssetFile(tmpPath: string, finalPath: string): Promise<void> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
  const present = await fs.stat(finalPath).then(
    (s) => s.isFile(),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (present) await fs.rm(tmpPath, { force: true });
  else await fs.rename(tmpPath, finalPath);
}
