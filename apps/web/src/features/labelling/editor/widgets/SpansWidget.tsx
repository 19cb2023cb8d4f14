import {
  Fragment,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
} from 'react';
import type { SpanValue, SpansQuestion } from '@enclave/contracts';
import { codePointLength, sliceCodePoints, utf16IndexToCodePoint } from '@enclave/labeling';
import { digitIndex } from '../shortcuts';
import { layoutLanes, moveCaret, segmentText, selectionToRange, spanAt, toggleSpan } from '../spans';
import { KeyHint } from './QuestionFrame';
import type { WidgetProps } from './types';

/** Label colours cycle through eight theme variables (`--label-0` … `--label-7`, light and dark). */
export const LABEL_COLOURS = 8;
export function labelColour(index: number): string {
  return `var(--label-${((index % LABEL_COLOURS) + LABEL_COLOURS) % LABEL_COLOURS})`;
}

const LANE_PX = 4;

/**
 * The UTF-16 offset in `text` of a DOM position inside the widget's text: the piece's own offset
 * (`data-s`) plus the offset within it. A position outside the text clamps to its start or end, so a
 * drag that ends past the text still selects to its end.
 */
function domOffset(container: HTMLElement, node: Node | null, offset: number, length: number): number | null {
  if (!node) return null;
  if (!container.contains(node)) {
    const position = container.compareDocumentPosition(node);
    if (position & Node.DOCUMENT_POSITION_FOLLOWING) return length;
    if (position & Node.DOCUMENT_POSITION_PRECEDING) return 0;
    return null;
  }
  if (node.nodeType === Node.TEXT_NODE) {
    const piece = node.parentElement?.closest<HTMLElement>('[data-s]');
    if (!piece || !container.contains(piece)) return null;
    const start = Number(piece.dataset.s);
    // A label tag is not text: any position in it is where its span ends.
    return piece.dataset.tag !== undefined ? start : start + offset;
  }
  const element = node as Element;
  const child = element.childNodes[offset];
  if (!child) {
    if (element === container) return length;
    const piece = element.closest<HTMLElement>('[data-s]');
    return piece
      ? Number(piece.dataset.s) + (piece.dataset.tag !== undefined ? 0 : (piece.textContent ?? '').length)
      : length;
  }
  const first =
    child instanceof HTMLElement && child.dataset.s !== undefined
      ? child
      : (child as Element).querySelector?.<HTMLElement>('[data-s]');
  return first ? Number(first.dataset.s) : null;
}

interface Selection16 {
  anchor: number;
  focus: number;
}

/**
 * Spans on a text: select with the mouse (or Shift+arrows from the caret), press a label's number or
 * click its button. Overlapping spans get stacked underlines, one lane each; a click on marked text
 * removes the innermost span there, and the list under the text removes any one of them.
 */
export function SpansWidget({
  question,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
  text: rawText,
}: WidgetProps<SpansQuestion> & { text: unknown }) {
  const text = typeof rawText === 'string' ? rawText : '';
  const spans = useMemo(() => (Array.isArray(value) ? (value as SpanValue[]) : []), [value]);
  const [sel, setSel] = useState<Selection16>({ anchor: 0, focus: 0 });
  const containerRef = useRef<HTMLDivElement>(null);
  const hintId = useId();
  const statusId = useId();

  // A new text (the next task) starts with no selection.
  useEffect(() => setSel({ anchor: 0, focus: 0 }), [text]);

  const range = sel.anchor === sel.focus ? null : selectionToRange(text, sel.anchor, sel.focus);
  const caret = utf16IndexToCodePoint(text, sel.focus);
  const lanes = useMemo(() => layoutLanes(spans), [spans]);
  const laneCount = lanes.length > 0 ? Math.max(...lanes) + 1 : 0;
  const labelIndex = useMemo(() => new Map(question.labels.map((l, i) => [l, i])), [question.labels]);
  const rangeStart = range?.start ?? -1;
  const rangeEnd = range?.end ?? -1;
  const segments = useMemo(
    () => segmentText(text, spans, rangeStart >= 0 ? { start: rangeStart, end: rangeEnd } : null, [caret]),
    [text, spans, rangeStart, rangeEnd, caret],
  );
  const length = useMemo(() => codePointLength(text), [text]);

  if (typeof rawText !== 'string') {
    return <p className="muted">This task has no text in “{question.field}” to mark.</p>;
  }

  function mark(labelIdx: number) {
    const label = question.labels[labelIdx];
    if (readOnly || !label || !range) return;
    onAnswer(toggleSpan(spans, range, label));
    setSel({ anchor: sel.focus, focus: sel.focus });
  }

  function remove(index: number) {
    if (readOnly) return;
    onAnswer(spans.filter((_, i) => i !== index));
  }

  function readDomSelection(clickTarget: EventTarget | null) {
    const container = containerRef.current;
    const dom = window.getSelection();
    if (!container || !dom || dom.rangeCount === 0) return;
    const anchor = domOffset(container, dom.anchorNode, dom.anchorOffset, text.length);
    const focus = domOffset(container, dom.focusNode, dom.focusOffset, text.length);
    if (anchor === null || focus === null) return;
    if (anchor === focus) {
      // A click: on marked text it removes the innermost span there; elsewhere it places the caret.
      const piece = clickTarget instanceof Element ? clickTarget.closest<HTMLElement>('[data-marked]') : null;
      const hit = piece ? spanAt(spans, utf16IndexToCodePoint(text, anchor)) : -1;
      if (hit >= 0 && !readOnly) remove(hit);
      setSel({ anchor, focus });
      return;
    }
    setSel({ anchor, focus });
    // Our own highlight replaces the browser's, whose nodes the next render replaces anyway.
    dom.removeAllRanges();
  }

  function onMouseDown() {
    const onUp = (e: MouseEvent) => {
      document.removeEventListener('mouseup', onUp);
      readDomSelection(e.target);
    };
    document.addEventListener('mouseup', onUp);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const label = digitIndex(e);
    if (label !== null) {
      if (label < question.labels.length) {
        e.preventDefault();
        e.stopPropagation();
        mark(label);
      }
      return;
    }
    const word = e.ctrlKey || e.altKey;
    let focus: number | null = null;
    if (e.key === 'ArrowLeft') focus = moveCaret(text, sel.focus, -1, word ? 'word' : 'char');
    else if (e.key === 'ArrowRight') focus = moveCaret(text, sel.focus, 1, word ? 'word' : 'char');
    else if (e.key === 'Home') focus = 0;
    else if (e.key === 'End') focus = text.length;
    else if (e.key === 'Escape' && sel.anchor !== sel.focus) {
      e.preventDefault();
      e.stopPropagation();
      setSel({ anchor: sel.focus, focus: sel.focus });
      return;
    }
    if (focus === null) return;
    e.preventDefault();
    setSel({ anchor: e.shiftKey ? sel.anchor : focus, focus });
  }

  const pieceStyle = (covering: number[]): CSSProperties | undefined => {
    if (covering.length === 0) return undefined;
    const layers = covering.map((i) => ({
      lane: lanes[i] ?? 0,
      colour: labelColour(labelIndex.get(spans[i]!.label) ?? 0),
    }));
    // React sets these through the CSSOM, which the page's CSP (style-src 'self') allows.
    return {
      backgroundImage: layers.map((l) => `linear-gradient(${l.colour}, ${l.colour})`).join(', '),
      backgroundSize: layers.map(() => '100% 3px').join(', '),
      backgroundPosition: layers.map((l) => `0 calc(100% - ${l.lane * LANE_PX}px)`).join(', '),
      backgroundRepeat: 'no-repeat',
      paddingBottom: `${laneCount * LANE_PX}px`,
    };
  };

  const selectedText = range ? sliceCodePoints(text, range.start, range.end) : '';
  return (
    <div className="spans">
      {readOnly ? null : (
        <div className="spans__labels" role="group" aria-label="Labels">
          {question.labels.map((l, i) => (
            <button
              key={l}
              type="button"
              className="btn btn--small span-label"
              disabled={readOnly || !range}
              onClick={() => mark(i)}
            >
              <span className="swatch" style={{ backgroundColor: labelColour(i) }} aria-hidden="true" />
              {l}
              {i < 9 ? <KeyHint>{i + 1}</KeyHint> : null}
            </button>
          ))}
        </div>
      )}
      <p id={hintId} className="visually-hidden">
        Select text with the mouse, or with Shift and the arrow keys, then press a label’s number.
      </p>
      <div
        ref={containerRef}
        className={`spans__text task-text${readOnly ? '' : ' spans__text--editable'}`}
        tabIndex={0}
        data-primary-control=""
        role="group"
        aria-labelledby={labelledBy}
        aria-describedby={`${hintId} ${describedBy}`}
        aria-invalid={invalid || undefined}
        data-testid={`spans-text-${question.name}`}
        style={{ lineHeight: `calc(1.7em + ${laneCount * LANE_PX}px)` }}
        onMouseDown={onMouseDown}
        onKeyDown={onKeyDown}
      >
        {segments.map((seg, k) => {
          const next = segments[k + 1];
          const end = next ? next.start : length;
          const endTags = seg.spans.filter((i) => spans[i]!.end === end).map((i) => spans[i]!.label);
          const title =
            seg.spans.length > 0
              ? `${seg.spans.map((i) => spans[i]!.label).join(', ')}${readOnly ? '' : ' — click to remove'}`
              : undefined;
          return (
            <Fragment key={seg.start16}>
              {seg.start === caret && !range ? (
                <span className="spans__caret" data-s={seg.start16} data-tag="" aria-hidden="true" />
              ) : null}
              <span
                data-s={seg.start16}
                data-marked={seg.spans.length > 0 ? '' : undefined}
                className={`spans__piece${seg.spans.length > 0 ? ' spans__piece--marked' : ''}${seg.selected ? ' spans__piece--selected' : ''}`}
                style={pieceStyle(seg.spans)}
                title={title}
              >
                {text.slice(seg.start16, seg.end16)}
              </span>
              {endTags.length > 0 ? (
                <span className="span-tag" data-s={seg.end16} data-tag="" aria-hidden="true">
                  {endTags.join(' · ')}
                </span>
              ) : null}
            </Fragment>
          );
        })}
        {caret === length && !range ? (
          <span className="spans__caret" data-s={text.length} data-tag="" aria-hidden="true" />
        ) : null}
      </div>
      <p id={statusId} className="spans__status muted" aria-live="polite">
        {range
          ? `Selected “${selectedText.length > 80 ? `${selectedText.slice(0, 80)}…` : selectedText}” — press a label’s number, or Esc to clear.`
          : readOnly
            ? ''
            : 'Select text to mark it.'}
      </p>
      {spans.length > 0 ? (
        <ul className="span-list" aria-label="Marked spans">
          {spans.map((s, i) => {
            const t = sliceCodePoints(text, s.start, s.end);
            const shown = t.length > 60 ? `${t.slice(0, 60)}…` : t;
            return (
              <li key={`${s.start}:${s.end}:${s.label}`} className="span-list__item">
                <span
                  className="swatch"
                  style={{ backgroundColor: labelColour(labelIndex.get(s.label) ?? 0) }}
                  aria-hidden="true"
                />
                <span className="span-list__label">{s.label}</span>
                <span className="span-list__text">“{shown}”</span>
                {!readOnly ? (
                  <button
                    type="button"
                    className="btn btn--small btn--quiet"
                    aria-label={`Remove ${s.label} “${shown}”`}
                    onClick={() => remove(i)}
                  >
                    ×
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted span-list__empty">
          No spans marked{readOnly ? '' : ' — submitting now says there is nothing to mark'}.
        </p>
      )}
    </div>
  );
}
