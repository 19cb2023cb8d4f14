import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { BboxesQuestion, BoxValue } from '@enclave/contracts';
import {
  boxFromDrag,
  cycleIndex,
  HANDLES,
  isArrowKey,
  moveBox,
  newBox,
  nudgeBox,
  resizeBox,
  toFraction,
  type Handle,
  type Point,
} from '../boxes';
import { assetUrl } from '../fields/responses';
import { digitIndex } from '../shortcuts';
import { KeyHint } from './QuestionFrame';
import { labelColour } from './SpansWidget';
import type { WidgetProps } from './types';

type Gesture =
  | { kind: 'draw'; from: Point; to: Point }
  | { kind: 'move'; index: number; from: Point; to: Point }
  | { kind: 'resize'; index: number; handle: Handle; from: Point; to: Point };

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

function describeBox(b: BoxValue): string {
  return `${b.label} at ${pct(b.x)}, ${pct(b.y)}, ${pct(b.width)} by ${pct(b.height)}`;
}

/** The box as it looks during a gesture, before the change is committed (one undo step per gesture). */
function preview(
  boxes: BoxValue[],
  g: Gesture | null,
  label: string,
): { boxes: BoxValue[]; drawing: BoxValue | null } {
  if (!g) return { boxes, drawing: null };
  const dx = g.to.x - g.from.x;
  const dy = g.to.y - g.from.y;
  if (g.kind === 'draw') return { boxes, drawing: boxFromDrag(g.from, g.to, label) };
  return {
    boxes: boxes.map((b, i) =>
      i !== g.index ? b : g.kind === 'move' ? moveBox(b, dx, dy) : resizeBox(b, g.handle, dx, dy),
    ),
    drawing: null,
  };
}

/**
 * Boxes on an image. Drag on the image to draw with the current label; drag a box to move it, a
 * handle to resize it. With the image focused: N adds a box with the current label (the keyboard's
 * way to draw), Tab and Shift+Tab select boxes (and leave the image after the last), arrows move the
 * selected box by 1%, Shift+arrows resize it, 1–9 set the label, Delete removes it, Esc deselects.
 * The list under the image does the same with buttons.
 */
export function BoxesWidget({
  question,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
  image,
}: WidgetProps<BboxesQuestion> & { image: unknown }) {
  const boxes = Array.isArray(value) ? (value as BoxValue[]) : [];
  const [label, setLabel] = useState(question.labels[0] ?? '');
  const [selected, setSelected] = useState(-1);
  const [gesture, setGesture] = useState<Gesture | null>(null);
  // Both belong to one image: the next task's is another one.
  const [loaded, setLoaded] = useState<{ src: string; ratio: number } | null>(null);
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  const overlayRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const hintId = useId();
  const src = assetUrl(image);

  useEffect(() => {
    if (selected >= boxes.length) setSelected(boxes.length - 1);
  }, [boxes.length, selected]);

  if (!src) return <p className="muted">This task has no image in “{question.field}” to draw on.</p>;
  const ratio = loaded?.src === src ? loaded.ratio : null;
  const failed = failedSrc === src;

  const shown = preview(boxes, gesture, label);
  const commit = (next: BoxValue[]) => onAnswer(next);

  function point(e: PointerEvent): Point {
    return toFraction(e.clientX, e.clientY, overlayRef.current!.getBoundingClientRect());
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (readOnly || e.button !== 0) return;
    const target = e.target as HTMLElement;
    const p = point(e);
    const handle = target.dataset.handle as Handle | undefined;
    const boxIndex = target.closest<HTMLElement>('[data-box]')?.dataset.box;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
    (e.currentTarget.parentElement as HTMLElement | null)?.focus({ preventScroll: true });
    if (boxIndex !== undefined) {
      const index = Number(boxIndex);
      setSelected(index);
      setGesture(
        handle ? { kind: 'resize', index, handle, from: p, to: p } : { kind: 'move', index, from: p, to: p },
      );
    } else {
      setSelected(-1);
      setGesture({ kind: 'draw', from: p, to: p });
    }
  }

  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    if (!gesture) return;
    const p = point(e);
    setGesture({ ...gesture, to: p });
  }

  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    if (!gesture) return;
    const done = { ...gesture, to: point(e) };
    setGesture(null);
    if (done.kind === 'draw') {
      const box = boxFromDrag(done.from, done.to, label);
      if (box) {
        commit([...boxes, box]);
        setSelected(boxes.length);
      }
      return;
    }
    if (done.to.x === done.from.x && done.to.y === done.from.y) return; // a click selects only
    commit(preview(boxes, done, label).boxes);
  }

  /** A new box with the current label, selected, so the arrow keys move and resize it at once. */
  function addBox() {
    if (readOnly) return;
    commit([...boxes, newBox(boxes.length, label)]);
    setSelected(boxes.length);
  }

  function relabel(index: number, next: string) {
    if (readOnly) return;
    commit(boxes.map((b, i) => (i === index ? { ...b, label: next } : b)));
  }

  function remove(index: number) {
    if (readOnly) return;
    commit(boxes.filter((_, i) => i !== index));
    setSelected(-1);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) {
      // Tab walks the boxes, then leaves the image: no keyboard trap.
      const direction = e.shiftKey ? -1 : 1;
      const next = cycleIndex(selected, boxes.length, direction);
      const wraps =
        selected >= 0 && ((direction > 0 && next <= selected) || (direction < 0 && next >= selected));
      if (next < 0 || wraps) {
        setSelected(-1);
        return;
      }
      e.preventDefault();
      setSelected(next);
      return;
    }
    const digit = digitIndex(e);
    if (digit !== null) {
      const next = question.labels[digit];
      if (!next) return;
      e.preventDefault();
      e.stopPropagation();
      setLabel(next);
      if (selected >= 0) relabel(selected, next);
      return;
    }
    if ((e.key === 'n' || e.key === 'N') && !e.ctrlKey && !e.metaKey && !e.altKey && !readOnly) {
      e.preventDefault();
      e.stopPropagation();
      addBox();
      return;
    }
    const box = boxes[selected];
    if (!box || readOnly) return;
    if (isArrowKey(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      commit(
        boxes.map((b, i) =>
          i === selected ? nudgeBox(b, e.key as Parameters<typeof nudgeBox>[1], e.shiftKey) : b,
        ),
      );
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      remove(selected);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setSelected(-1);
    }
  }

  const current = boxes[selected];
  return (
    <div className="boxes">
      {!readOnly ? (
        <div className="boxes__labels" role="group" aria-label="Label for new boxes">
          {question.labels.map((l, i) => (
            <button
              key={l}
              type="button"
              className="btn btn--small span-label"
              aria-pressed={label === l}
              onClick={() => {
                setLabel(l);
                if (selected >= 0) relabel(selected, l);
              }}
            >
              <span className="swatch" style={{ backgroundColor: labelColour(i) }} aria-hidden="true" />
              {l}
              {i < 9 ? <KeyHint>{i + 1}</KeyHint> : null}
            </button>
          ))}
          <button
            type="button"
            className="btn btn--small"
            aria-keyshortcuts="N"
            disabled={failed}
            onClick={() => {
              addBox();
              // The arrows that move the new box work on the image.
              stageRef.current?.focus({ preventScroll: true });
            }}
          >
            New box
            <KeyHint>N</KeyHint>
          </button>
        </div>
      ) : null}
      <p id={hintId} className="visually-hidden">
        Drag on the image to draw a box, or press N for a new one. Tab selects boxes; arrows move the selected
        box, Shift and arrows resize it, Delete removes it.
      </p>
      {failed ? (
        <p className="field__error">The image could not be loaded. Reload the page to try again.</p>
      ) : (
        <div
          ref={stageRef}
          className="boxes__stage"
          tabIndex={0}
          data-primary-control=""
          role="group"
          aria-labelledby={labelledBy}
          aria-describedby={`${hintId} ${describedBy}`}
          aria-invalid={invalid || undefined}
          data-testid={`boxes-stage-${question.name}`}
          // As wide as the column allows and no taller than 70% of the window, aspect kept: small
          // images grow, so boxes can be drawn precisely. (CSSOM, which the CSP allows.)
          style={ratio ? { width: `min(100%, calc(70vh * ${ratio}))` } : undefined}
          onKeyDown={onKeyDown}
        >
          <img
            className="boxes__image"
            src={src}
            alt={`Image “${question.field}” of the task`}
            draggable={false}
            onLoad={(e) => {
              const { naturalWidth: w, naturalHeight: h } = e.currentTarget;
              if (w > 0 && h > 0) setLoaded({ src, ratio: w / h });
            }}
            onError={() => setFailedSrc(src)}
          />
          <div
            ref={overlayRef}
            className={`boxes__overlay${readOnly ? '' : ' boxes__overlay--editable'}`}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => setGesture(null)}
          >
            {shown.boxes.map((b, i) => (
              <div
                key={i}
                data-box={i}
                className={`box${i === selected ? ' box--selected' : ''}`}
                style={{
                  left: pct(b.x),
                  top: pct(b.y),
                  width: pct(b.width),
                  height: pct(b.height),
                  borderColor: labelColour(question.labels.indexOf(b.label)),
                }}
              >
                <span
                  className="box__tag"
                  style={{ backgroundColor: labelColour(question.labels.indexOf(b.label)) }}
                >
                  {i + 1} {b.label}
                </span>
                {i === selected && !readOnly
                  ? HANDLES.map((h) => (
                      <span key={h} data-handle={h} className={`box__handle box__handle--${h}`} />
                    ))
                  : null}
              </div>
            ))}
            {shown.drawing ? (
              <div
                className="box box--drawing"
                style={{
                  left: pct(shown.drawing.x),
                  top: pct(shown.drawing.y),
                  width: pct(shown.drawing.width),
                  height: pct(shown.drawing.height),
                  borderColor: labelColour(question.labels.indexOf(label)),
                }}
              />
            ) : null}
          </div>
        </div>
      )}
      <p className="visually-hidden" aria-live="polite">
        {current ? `Box ${selected + 1} of ${boxes.length} selected: ${describeBox(current)}.` : ''}
      </p>
      {boxes.length > 0 ? (
        <ol className="box-list" aria-label="Boxes">
          {boxes.map((b, i) => (
            <li key={i} className={`box-list__item${i === selected ? ' box-list__item--selected' : ''}`}>
              <button
                type="button"
                className="btn btn--small btn--quiet"
                onClick={() => setSelected(i)}
                aria-pressed={i === selected}
              >
                Box {i + 1}
              </button>
              {readOnly ? (
                <span>{b.label}</span>
              ) : (
                <select
                  aria-label={`Label of box ${i + 1}`}
                  value={b.label}
                  onChange={(e) => relabel(i, e.target.value)}
                >
                  {question.labels.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              )}
              <span className="muted box-list__where">
                {pct(b.x)}, {pct(b.y)} · {pct(b.width)} × {pct(b.height)}
              </span>
              {!readOnly ? (
                <button
                  type="button"
                  className="btn btn--small btn--quiet btn--danger"
                  aria-label={`Delete box ${i + 1} (${b.label})`}
                  onClick={() => remove(i)}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No boxes{readOnly ? '' : ' — submitting now says there is nothing to box'}.</p>
      )}
    </div>
  );
}
