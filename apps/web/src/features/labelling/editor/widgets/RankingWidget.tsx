import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { RankingQuestion } from '@enclave/contracts';
import { displayOrder, moveItem, moveSelected } from '../ranking';
import { responseLetter, responsesOf } from '../fields/responses';
import type { WidgetProps } from './types';

/**
 * Responses in order, best first. Mouse: drag an item, or its up and down buttons. Keyboard: the list
 * is one tab stop; Up and Down select, Alt+Up and Alt+Down move the selected response.
 */
export function RankingWidget({
  question,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
  data,
}: WidgetProps<RankingQuestion> & { data: Record<string, unknown> }) {
  const responses = responsesOf(data[question.field]);
  const ids = responses.map((r) => r.id);
  const order = displayOrder(ids, value);
  const answered = Array.isArray(value) && value.length === ids.length;
  const [selected, setSelected] = useState(0);
  const dragFrom = useRef<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const listId = `${labelledBy}-list`;

  if (responses.length === 0) {
    return <p className="muted">This task has no responses to rank.</p>;
  }

  const byId = new Map(responses.map((r, i) => [r.id, { ...r, letter: responseLetter(i) }]));
  const commit = (next: string[]) => onAnswer(next);

  function onKeyDown(e: KeyboardEvent<HTMLOListElement>) {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const delta = e.key === 'ArrowUp' ? -1 : 1;
    if (e.altKey && !readOnly) {
      const moved = moveSelected(order, selected, delta);
      if (moved.selected !== selected) commit(moved.order);
      setSelected(moved.selected);
    } else {
      setSelected(Math.min(order.length - 1, Math.max(0, selected + delta)));
    }
  }

  function onDrop(e: DragEvent, to: number) {
    e.preventDefault();
    const from = dragFrom.current;
    dragFrom.current = null;
    setDropAt(null);
    if (from === null || readOnly) return;
    commit(moveItem(order, from, to));
    setSelected(to);
  }

  const current = order[selected];
  return (
    <div className="ranking">
      <ol
        id={listId}
        className="ranking__list"
        role="listbox"
        tabIndex={0}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        aria-readonly={readOnly || undefined}
        aria-activedescendant={current ? `${listId}-${selected}` : undefined}
        onKeyDown={onKeyDown}
      >
        {order.map((id, i) => {
          const r = byId.get(id)!;
          return (
            <li
              key={id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === selected}
              className={`ranking__item${i === selected ? ' ranking__item--selected' : ''}${dropAt === i ? ' ranking__item--drop' : ''}`}
              draggable={!readOnly}
              onClick={() => setSelected(i)}
              onDragStart={(e) => {
                dragFrom.current = i;
                e.dataTransfer.effectAllowed = 'move';
                e.dataTransfer.setData('text/plain', id);
              }}
              onDragOver={(e) => {
                e.preventDefault();
                setDropAt(i);
              }}
              onDragLeave={() => setDropAt((at) => (at === i ? null : at))}
              onDrop={(e) => onDrop(e, i)}
              onDragEnd={() => setDropAt(null)}
            >
              <span className="ranking__rank" aria-hidden="true">
                {i + 1}
              </span>
              <span className="ranking__text">
                <strong>Response {r.letter}</strong>
                <span className="ranking__snippet">{r.text}</span>
              </span>
              <span className="visually-hidden">
                , rank {i + 1} of {order.length}
              </span>
              {!readOnly ? (
                <span className="ranking__buttons">
                  <button
                    type="button"
                    className="btn btn--small btn--quiet"
                    tabIndex={-1}
                    aria-label={`Move response ${r.letter} up`}
                    disabled={i === 0}
                    onClick={(e) => {
                      e.stopPropagation();
                      commit(moveItem(order, i, i - 1));
                      setSelected(i - 1);
                    }}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn--small btn--quiet"
                    tabIndex={-1}
                    aria-label={`Move response ${r.letter} down`}
                    disabled={i === order.length - 1}
                    onClick={(e) => {
                      e.stopPropagation();
                      commit(moveItem(order, i, i + 1));
                      setSelected(i + 1);
                    }}
                  >
                    ↓
                  </button>
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {!readOnly && !answered ? (
        <p className="ranking__confirm">
          <span className="muted">Not ranked yet. Reorder, or </span>
          <button type="button" className="btn btn--small" onClick={() => commit(order)}>
            Keep this order
          </button>
        </p>
      ) : null}
    </div>
  );
}
