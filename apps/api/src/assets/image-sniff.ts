import { imageSize } from 'image-size';

/** The image formats Enclave stores, as their media types (the `assets.media_type` check). */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/**
 * How much of the start of an upload is kept in memory to recognise it and read its size: the same
 * amount image-size's own file reader reads. A JPEG whose frame header lies further in (behind more
 * than 512 KiB of metadata) is refused.
 */
export const HEAD_BYTES = 512 * 1024;

/** Decompression-bomb limits: a small file may declare a huge canvas that a browser would allocate. */
export const MAX_IMAGE_SIDE = 30_000;
export const MAX_IMAGE_PIXELS = 200_000_000;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** The fewest bytes from which each format's width and height can be read. */
const MIN_HEAD: Record<ImageMediaType, number> = {
  // Signature and the whole IHDR chunk (length, type, 13 bytes of data, CRC).
  'image/png': 33,
  // SOI and a segment header; image-size walks the segments and fails when the frame header is missing.
  'image/jpeg': 4,
  // Header and logical screen descriptor.
  'image/gif': 13,
  // RIFF header, the first chunk's header and its first 10 bytes, where every variant keeps the size.
  'image/webp': 30,
};

/** What image-size calls each format. */
const SIZE_TYPE: Record<ImageMediaType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export interface ImageInfo {
  mediaType: ImageMediaType;
  /** As a browser shows the image: an EXIF rotation by a quarter turn swaps the sides. */
  width: number;
  height: number;
}

function hasBytes(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return bytes.length < end ? '' : String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * The format of an upload from its first bytes (the file signatures), never from its name or declared
 * type; null for anything else (HTML, SVG, scripts, other image formats).
 */
export function sniffImageType(head: Uint8Array): ImageMediaType | null {
  if (hasBytes(head, PNG_SIGNATURE)) return 'image/png';
  if (hasBytes(head, JPEG_SIGNATURE)) return 'image/jpeg';
  const gif = ascii(head, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'image/gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * The format and size of an image from the start of its bytes, or null when it is not a PNG, JPEG,
 * WebP or GIF whose width and height can be read (truncated, corrupt, or another format).
 */
export function readImageInfo(head: Uint8Array): ImageInfo | null {
  const mediaType = sniffImageType(head);
  if (!mediaType || head.length < MIN_HEAD[mediaType]) return null;
  let size: ReturnType<typeof imageSize>;
  try {
    // A copy with an ArrayBuffer of its own: image-size reads through DataViews over the underlying
    // buffer, so on a view into Node's pooled memory a truncated header would read neighbouring bytes
    // instead of failing.
    size = imageSize(new Uint8Array(head));
  } catch {
    return null;
  }
  if (size.type !== SIZE_TYPE[mediaType]) return null;
  const { width, height } = size;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) return null;
  // EXIF orientations 5 to 8 turn the picture by a quarter: browsers show it, and annotators draw
  // boxes on it, with the sides swapped.
  if (size.orientation !== undefined && size.orientation >= 5 && size.orientation <= 8) {
    return { mediaType, width: height, height: width };
  }
  return { mediaType, width, height };
}

/** Why an image is too large to accept, or null when its size is fine. */
export function dimensionProblem(info: Pick<ImageInfo, 'width' | 'height'>): string | null {
  if (
    info.width > MAX_IMAGE_SIDE ||
    info.height > MAX_IMAGE_SIDE ||
    info.width * info.height > MAX_IMAGE_PIXELS
  ) {
    return (
      `the image is ${info.width}×${info.height} pixels; at most ${MAX_IMAGE_SIDE} pixels a side and ` +
      `${MAX_IMAGE_PIXELS / 1_000_000} megapixels are accepted`
    );
  }
  return null;
}
