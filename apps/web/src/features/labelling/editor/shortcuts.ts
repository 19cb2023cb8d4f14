import type { LabelQuestion, PairwiseChoice } from '@enclave/contracts';

/** The parts of a keyboard event the mapping reads, so the mapping is testable without a DOM. */
export interface KeyPress {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/**
 * Where typed characters belong to the control: text inputs, text areas, selects, editable content.
 * Single-key shortcuts never fire there (typing "a" in a rewrite must not pick response A).
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true;
  if (tag !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(
    type,
  );
}

const plain = (e: KeyPress) => !e.ctrlKey && !e.metaKey && !e.altKey;

/** 1–9 (top row or keypad, whatever the layout types there) → 0–8; anything else → null. */
export function digitIndex(e: KeyPress): number | null {
  if (!plain(e)) return null;
  if (/^[1-9]$/.test(e.key)) return Number(e.key) - 1;
  const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code ?? '');
  // A layout whose top row types symbols (AZERTY: "&é\"'(") still means the digits there.
  return m && !e.shiftKey ? Number(m[1]) - 1 : null;
}

/** 0–9 → the digit, for ratings whose scale includes 0. */
function digitValue(e: KeyPress): number | null {
  if (!plain(e)) return null;
  if (/^[0-9]$/.test(e.key)) return Number(e.key);
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(e.code ?? '');
  return m && !e.shiftKey ? Number(m[1]) : null;
}

export type PageCommand =
  'submit' | 'undo' | 'redo' | 'help' | 'skip' | 'next-question' | 'previous-question';

/** Shortcuts of the whole labelling screen. `typing`: the key went to a text control. */
export function pageCommand(e: KeyPress, typing: boolean): PageCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && e.key === 'Enter') return 'submit';
  if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z')) return e.shiftKey ? 'redo' : 'undo';
  if (mod && !e.altKey && !e.shiftKey && (e.key === 'y' || e.key === 'Y')) return 'redo';
  if (typing || mod || e.altKey) return null;
  if (e.key === '?') return 'help';
  if (e.key === ']') return 'next-question';
  if (e.key === '[') return 'previous-question';
  return null;
}

/** The rating a digit key picks: the digit itself on a scale of single digits, else the n-th step. */
export function ratingForKey(q: { min: number; max: number }, e: KeyPress): number | null {
  if (q.min >= 0 && q.max <= 9) {
    const v = digitValue(e);
    return v !== null && v >= q.min && v <= q.max ? v : null;
  }
  const i = digitIndex(e);
  return i !== null && q.min + i <= q.max ? q.min + i : null;
}

/** The key shown beside a rating value, when one picks it. */
export function ratingKeyLabel(q: { min: number; max: number }, value: number): string | null {
  if (q.min >= 0 && q.max <= 9) return String(value);
  const i = value - q.min;
  return i >= 0 && i < 9 ? String(i + 1) : null;
}

export function pairwiseForKey(allowTie: boolean, e: KeyPress): PairwiseChoice | null {
  if (!plain(e) || e.shiftKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'a') return 'a';
  if (k === 'b') return 'b';
  if (k === 't' && allowTie) return 'tie';
  return null;
}

/** What a single key does to the active question, before the question's widget applies it. */
export type QuestionCommand =
  | { kind: 'option'; index: number }
  | { kind: 'rating'; value: number }
  | { kind: 'pairwise'; choice: PairwiseChoice }
  | { kind: 'label'; index: number };

export function questionCommand(q: LabelQuestion, e: KeyPress): QuestionCommand | null {
  switch (q.type) {
    case 'single_choice':
    case 'multi_choice': {
      const i = digitIndex(e);
      return i !== null && i < q.options.length ? { kind: 'option', index: i } : null;
    }
    case 'spans':
    case 'bboxes': {
      const i = digitIndex(e);
      return i !== null && i < q.labels.length ? { kind: 'label', index: i } : null;
    }
    case 'rating': {
      const v = ratingForKey(q, e);
      return v !== null ? { kind: 'rating', value: v } : null;
    }
    case 'pairwise': {
      const c = pairwiseForKey(q.allowTie, e);
      return c ? { kind: 'pairwise', choice: c } : null;
    }
    case 'ranking':
    case 'text':
      return null;
  }
}

/** The shortcut sheet (`?`), grouped as the screen is. */
export const SHORTCUT_SHEET: readonly { group: string; keys: readonly { keys: string; what: string }[] }[] = [
  {
    group: 'Task',
    keys: [
      { keys: 'Ctrl+Enter', what: 'Submit the task' },
      { keys: 'Ctrl+Z', what: 'Undo' },
      { keys: 'Ctrl+Shift+Z', what: 'Redo (Ctrl+Y too)' },
      { keys: ']  /  [', what: 'Next / previous question' },
      { keys: '?', what: 'Show this sheet' },
    ],
  },
  {
    group: 'Questions (the highlighted one)',
    keys: [
      { keys: '1–9', what: 'Choose or toggle the option, rating or label with that number' },
      { keys: 'A / B / T', what: 'Pairwise: response A, response B, tie (when allowed)' },
    ],
  },
  {
    group: 'Spans (text with labels)',
    keys: [
      { keys: 'Mouse drag', what: 'Select text, then press a label’s number' },
      { keys: 'Shift+←/→', what: 'Extend the selection by a character (Ctrl+Shift: by a word)' },
      { keys: '←/→, Home/End', what: 'Move the caret' },
      { keys: 'Esc', what: 'Clear the selection' },
      { keys: 'Click a span', what: 'Remove it (or use its × in the list below the text)' },
    ],
  },
  {
    group: 'Boxes (on the image)',
    keys: [
      { keys: 'Drag', what: 'Draw a box with the current label; drag a box to move it, a handle to resize' },
      { keys: 'N', what: 'New box with the current label, selected (then arrows move it)' },
      { keys: 'Tab / Shift+Tab', what: 'Select the next / previous box' },
      { keys: 'Arrows', what: 'Move the selected box by 1%' },
      { keys: 'Shift+arrows', what: 'Resize the selected box' },
      { keys: '1–9', what: 'Set the label (of the selected box, and for new boxes)' },
      { keys: 'Delete', what: 'Delete the selected box' },
    ],
  },
  {
    group: 'Ranking',
    keys: [
      { keys: '↑/↓', what: 'Select a response' },
      { keys: 'Alt+↑/↓', what: 'Move the selected response up or down' },
    ],
  },
];
