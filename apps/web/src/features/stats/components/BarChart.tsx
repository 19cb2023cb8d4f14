import { useId } from 'react';
import { formatValue, linearScale, niceTicks, countAxis, type ValueKind } from './scale';

export interface Bar {
  label: string;
  value: number | null;
  /** Shown after the value: "(n = 12)", the metric's name. */
  note?: string;
}

interface BarChartProps {
  title: string;
  /** One sentence for screen readers on what the bars show. */
  description: string;
  bars: readonly Bar[];
  kind: ValueKind;
  /** Fixed ends (scores from -1 to 1, shares from 0 to 1); counts are scaled to their largest value. */
  domain?: readonly [number, number];
}

const ROW = 30;
const LABEL_WIDTH = 190;
const VALUE_WIDTH = 250;
const WIDTH = 960;
const TOP = 8;
const AXIS = 26;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Horizontal bars, one per row, labelled at the left and valued at the right; empty values say "—". */
export function BarChart({ title, description, bars, kind, domain }: BarChartProps) {
  const id = useId();
  const values = bars.map((b) => b.value).filter((v): v is number => v !== null);
  let lo: number;
  let hi: number;
  let ticks: number[];
  if (domain) {
    [lo, hi] = domain;
    ticks = niceTicks(lo, hi, 4);
  } else if (kind === 'count') {
    const axis = countAxis(Math.max(0, ...values));
    lo = 0;
    hi = axis.max;
    ticks = axis.ticks;
  } else {
    ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 4);
    lo = ticks[0] ?? 0;
    hi = ticks[ticks.length - 1] ?? 1;
  }
  const x = linearScale([lo, hi], [LABEL_WIDTH, WIDTH - VALUE_WIDTH]);
  const height = TOP + bars.length * ROW + AXIS;
  const zero = x(Math.min(Math.max(0, lo), hi));

  return (
    <svg
      className="chart chart--bars"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      preserveAspectRatio="xMinYMin meet"
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>
        {description}{' '}
        {bars.map((b) => `${b.label}: ${formatValue(b.value, kind)}${b.note ? ` ${b.note}` : ''}`).join('; ')}
        .
      </desc>
      {ticks.map((t) => (
        <g key={t} aria-hidden="true">
          <line className="chart__grid" x1={x(t)} x2={x(t)} y1={TOP} y2={TOP + bars.length * ROW} />
          <text className="chart__tick" x={x(t)} y={height - 8} textAnchor="middle">
            {formatValue(t, kind)}
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const y = TOP + i * ROW;
        const v = b.value;
        const x0 = v === null ? zero : Math.min(zero, x(v));
        const w = v === null ? 0 : Math.abs(x(v) - zero);
        return (
          <g key={`${b.label}-${i}`} aria-hidden="true">
            <text className="chart__label" x={LABEL_WIDTH - 8} y={y + ROW / 2 + 4} textAnchor="end">
              {clip(b.label, 24)}
            </text>
            <rect
              className={v !== null && v < 0 ? 'chart__bar chart__bar--negative' : 'chart__bar'}
              x={x0}
              y={y + 5}
              width={Math.max(w, v === null ? 0 : 1)}
              height={ROW - 10}
              rx={3}
            />
            <text className="chart__value" x={WIDTH - VALUE_WIDTH + 8} y={y + ROW / 2 + 4}>
              {clip(`${formatValue(v, kind)}${b.note ? ` ${b.note}` : ''}`, 38)}
            </text>
          </g>
        );
      })}
      <line
        className="chart__axis"
        x1={zero}
        x2={zero}
        y1={TOP}
        y2={TOP + bars.length * ROW}
        aria-hidden="true"
      />
    </svg>
  );
}
