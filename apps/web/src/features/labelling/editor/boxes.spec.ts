import type { BoxValue } from '@enclave/contracts';
import { validateResult } from '@enclave/labeling';
import { describe, expect, it } from 'vitest';
import {
  boxFromDrag,
  cycleIndex,
  MIN_SIZE,
  moveBox,
  newBox,
  nudgeBox,
  resizeBox,
  tidyBox,
  toFraction,
} from './boxes';

const box = (x: number, y: number, width: number, height: number): BoxValue => ({
  x,
  y,
  width,
  height,
  label: 'car',
});

function inside(b: BoxValue) {
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.width).toBeGreaterThanOrEqual(MIN_SIZE);
  expect(b.height).toBeGreaterThanOrEqual(MIN_SIZE);
  expect(b.x + b.width).toBeLessThanOrEqual(1 + 1e-9);
  expect(b.y + b.height).toBeLessThanOrEqual(1 + 1e-9);
}

describe('drawing', () => {
  it('draws in any direction and clamps to the image', () => {
    expect(boxFromDrag({ x: 0.5, y: 0.6 }, { x: 0.1, y: 0.2 }, 'car')).toEqual(box(0.1, 0.2, 0.4, 0.4));
    expect(boxFromDrag({ x: -0.2, y: 0.5 }, { x: 0.3, y: 1.4 }, 'car')).toEqual(box(0, 0.5, 0.3, 0.5));
  });

  it('draws nothing for a click or a sliver', () => {
    expect(boxFromDrag({ x: 0.5, y: 0.5 }, { x: 0.5, y: 0.5 }, 'car')).toBeNull();
    expect(boxFromDrag({ x: 0.5, y: 0.5 }, { x: 0.9, y: 0.501 }, 'car')).toBeNull();
  });

  it('maps a pointer to fractions of the element, clamped', () => {
    const rect = { left: 100, top: 50, width: 200, height: 100 };
    expect(toFraction(150, 100, rect)).toEqual({ x: 0.25, y: 0.5 });
    expect(toFraction(0, 500, rect)).toEqual({ x: 0, y: 1 });
    expect(toFraction(0, 0, { left: 0, top: 0, width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
  });
});

describe('moving and resizing', () => {
  it('moves without changing size and stops at the edges', () => {
    expect(moveBox(box(0.1, 0.1, 0.2, 0.2), 0.1, 0.05)).toEqual(box(0.2, 0.15, 0.2, 0.2));
    expect(moveBox(box(0.1, 0.1, 0.2, 0.2), 5, -5)).toEqual(box(0.8, 0, 0.2, 0.2));
  });

  it('resizes from any handle, keeping the opposite edges put', () => {
    expect(resizeBox(box(0.2, 0.2, 0.4, 0.4), 'se', 0.1, 0.1)).toEqual(box(0.2, 0.2, 0.5, 0.5));
    expect(resizeBox(box(0.2, 0.2, 0.4, 0.4), 'nw', -0.1, 0.1)).toEqual(box(0.1, 0.3, 0.5, 0.3));
    expect(resizeBox(box(0.2, 0.2, 0.4, 0.4), 'n', 0.5, 0.5)).toEqual(box(0.2, 0.595, 0.4, 0.005));
    expect(resizeBox(box(0.2, 0.2, 0.4, 0.4), 'e', 9, 0)).toEqual(box(0.2, 0.2, 0.8, 0.4));
    expect(resizeBox(box(0.2, 0.2, 0.4, 0.4), 'w', -9, 0)).toEqual(box(0, 0.2, 0.6, 0.4));
  });

  it('nudges by one percent, and resizes with Shift', () => {
    expect(nudgeBox(box(0.2, 0.2, 0.1, 0.1), 'ArrowRight', false)).toEqual(box(0.21, 0.2, 0.1, 0.1));
    expect(nudgeBox(box(0.2, 0.2, 0.1, 0.1), 'ArrowUp', false)).toEqual(box(0.2, 0.19, 0.1, 0.1));
    expect(nudgeBox(box(0.2, 0.2, 0.1, 0.1), 'ArrowRight', true)).toEqual(box(0.2, 0.2, 0.11, 0.1));
    expect(nudgeBox(box(0.2, 0.2, 0.1, 0.1), 'ArrowUp', true)).toEqual(box(0.2, 0.2, 0.1, 0.09));
    expect(nudgeBox(box(0.95, 0, 0.05, 0.1), 'ArrowRight', false)).toEqual(box(0.95, 0, 0.05, 0.1));
    expect(nudgeBox(box(0, 0, 0.005, 0.1), 'ArrowLeft', true)).toEqual(box(0, 0, 0.005, 0.1));
  });

  it('stays inside [0, 1] through any sequence of operations, and the API accepts the result', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 0.5;
    const handles = ['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw'] as const;
    const keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'] as const;
    let b = box(1 / 3, 1 / 3, 1 / 3, 1 / 3);
    for (let i = 0; i < 2000; i++) {
      const op = i % 3;
      if (op === 0) b = moveBox(b, rand(), rand());
      else if (op === 1) b = resizeBox(b, handles[i % 8]!, rand(), rand());
      else b = nudgeBox(b, keys[i % 4]!, i % 2 === 0);
      inside(b);
    }
    const config = {
      fields: [{ name: 'image', type: 'image' as const }],
      questions: [
        { name: 'objects', type: 'bboxes' as const, field: 'image', labels: ['car'], required: true },
      ],
    };
    expect(
      validateResult(config, { image: 'x' }, { objects: [b, tidyBox(box(2 / 3, 2 / 3, 1 / 3, 1 / 3))] }),
    ).toEqual([]);
  });

  it('cycles through boxes with Tab and Shift+Tab', () => {
    expect(cycleIndex(-1, 3, 1)).toBe(0);
    expect(cycleIndex(-1, 3, -1)).toBe(2);
    expect(cycleIndex(2, 3, 1)).toBe(0);
    expect(cycleIndex(0, 3, -1)).toBe(2);
    expect(cycleIndex(0, 0, 1)).toBe(-1);
  });
});

describe('boxes from the keyboard', () => {
  it('makes a centred box a fifth of the image either way, with the label', () => {
    expect(newBox(0, 'person')).toEqual({ x: 0.4, y: 0.4, width: 0.2, height: 0.2, label: 'person' });
  });

  it('shifts each further box so none hides the one before, and stays inside the image', () => {
    const made = Array.from({ length: 12 }, (_, i) => newBox(i, 'car'));
    expect(made[1]).toEqual({ x: 0.43, y: 0.43, width: 0.2, height: 0.2, label: 'car' });
    expect(new Set(made.slice(0, 10).map((b) => b.x)).size).toBe(10);
    for (const b of made) inside(b);
  });
});
