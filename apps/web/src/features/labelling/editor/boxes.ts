import type { BoxValue } from '@enclave/contracts';

/**
 * The pure half of the box widget. Boxes are fractions of the image's natural width and height
 * (SPEC §4); the overlay has exactly the image's aspect ratio, so a fraction of the displayed image
 * is the same fraction of the natural one. Every operation keeps the box inside [0, 1].
 */

export type Point = { x: number; y: number };
export type Handle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** The smallest box: half a percent of the image either way (a stray click draws nothing). */
export const MIN_SIZE = 0.005;
/** Arrow keys move or resize by one percent. */
export const NUDGE = 0.01;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** Six decimals: far below a pixel, and no float noise such as 0.30000000000000004 in the results. */
const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** A box rounded, with its far edges pulled back to the image's edge where rounding pushed them over. */
export function tidyBox(box: BoxValue): BoxValue {
  const x = clamp(round(box.x), 0, 1 - MIN_SIZE);
  const y = clamp(round(box.y), 0, 1 - MIN_SIZE);
  return {
    x,
    y,
    // x has six decimals, so 1 - x rounded is exact to them: no 0.19999999999999996
    width: clamp(round(box.width), MIN_SIZE, round(1 - x)),
    height: clamp(round(box.height), MIN_SIZE, round(1 - y)),
    label: box.label,
  };
}

/** A pointer position as a fraction of an element's box, clamped to it. */
export function toFraction(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
): Point {
  return {
    x: rect.width > 0 ? clamp((clientX - rect.left) / rect.width, 0, 1) : 0,
    y: rect.height > 0 ? clamp((clientY - rect.top) / rect.height, 0, 1) : 0,
  };
}

/** The box dragged out from `from` to `to`, in any direction; null when it is too small to mean one. */
export function boxFromDrag(from: Point, to: Point, label: string): BoxValue | null {
  const x0 = clamp(Math.min(from.x, to.x), 0, 1);
  const y0 = clamp(Math.min(from.y, to.y), 0, 1);
  const x1 = clamp(Math.max(from.x, to.x), 0, 1);
  const y1 = clamp(Math.max(from.y, to.y), 0, 1);
  if (x1 - x0 < MIN_SIZE || y1 - y0 < MIN_SIZE) return null;
  return tidyBox({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, label });
}

/** The box moved by a delta, stopping at the image's edges with its size unchanged. */
export function moveBox(box: BoxValue, dx: number, dy: number): BoxValue {
  return tidyBox({
    ...box,
    x: clamp(box.x + dx, 0, 1 - box.width),
    y: clamp(box.y + dy, 0, 1 - box.height),
  });
}

/**
 * The box with the edges of `handle` dragged by a delta. An edge stops at the image's edge and at
 * the smallest size before the opposite edge; the opposite edges never move.
 */
export function resizeBox(box: BoxValue, handle: Handle, dx: number, dy: number): BoxValue {
  let left = box.x;
  let top = box.y;
  let right = box.x + box.width;
  let bottom = box.y + box.height;
  if (handle.includes('w')) left = clamp(left + dx, 0, right - MIN_SIZE);
  if (handle.includes('e')) right = clamp(right + dx, left + MIN_SIZE, 1);
  if (handle.includes('n')) top = clamp(top + dy, 0, bottom - MIN_SIZE);
  if (handle.includes('s')) bottom = clamp(bottom + dy, top + MIN_SIZE, 1);
  return tidyBox({ ...box, x: left, y: top, width: right - left, height: bottom - top });
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

export function isArrowKey(key: string): key is ArrowKey {
  return key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown';
}

/**
 * Arrow keys on a selected box: move it by one percent; with `resize` (Shift), grow or shrink it from
 * its right or bottom edge (Right and Down grow, Left and Up shrink).
 */
export function nudgeBox(box: BoxValue, key: ArrowKey, resize: boolean, step = NUDGE): BoxValue {
  const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
  const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
  if (!resize) return moveBox(box, dx, dy);
  return resizeBox(box, dx !== 0 ? 'e' : 's', dx, dy);
}

/** A box made from the keyboard: this share of the image either way. */
export const NEW_BOX_SIZE = 0.2;

/**
 * The box that the "new box" key adds: a fifth of the image either way, centred, each further one
 * shifted down and right by 3% so that boxes made one after another do not hide each other. The
 * annotator then moves and resizes it with the arrow keys.
 */
export function newBox(existing: number, label: string): BoxValue {
  const shift = (existing % 10) * 0.03;
  const start = (1 - NEW_BOX_SIZE) / 2 + shift;
  return tidyBox({
    x: Math.min(start, 1 - NEW_BOX_SIZE),
    y: Math.min(start, 1 - NEW_BOX_SIZE),
    width: NEW_BOX_SIZE,
    height: NEW_BOX_SIZE,
    label,
  });
}

/** The next (or previous) box for Tab and Shift+Tab; -1 when there are none. */
export function cycleIndex(current: number, count: number, direction: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0 || current >= count) return direction > 0 ? 0 : count - 1;
  return (current + direction + count) % count;
}
