import { useId } from 'react';
import { countAxis, formatDay, formatValue, linearScale, spreadIndexes } from './scale';

export interface Series {
  name: string;
  /** One value per day of `days`. */
  values: readonly number[];
  /** Filled down to the axis. */
  area?: boolean;
}

interface LineChartProps {
  title: string;
  description: string;
  /** `YYYY-MM-DD`, in order, one per point. */
  days: readonly string[];
  series: readonly Series[];
}

const WIDTH = 960;
const HEIGHT = 300;
const LEFT = 52;
const RIGHT = 16;
const TOP = 12;
const BOTTOM = 30;

/** Lines (and areas) of counts over days, with a legend; the colours come from the theme. */
export function LineChart({ title, description, days, series }: LineChartProps) {
  const id = useId();
  const n = days.length;
  const axis = countAxis(Math.max(0, ...series.flatMap((s) => s.values)));
  const x = linearScale([0, Math.max(1, n - 1)], [LEFT, WIDTH - RIGHT]);
  const y = linearScale([0, axis.max], [HEIGHT - BOTTOM, TOP]);
  const xAt = (i: number) => (n === 1 ? (LEFT + WIDTH - RIGHT) / 2 : x(i));
  const last = (s: Series) => s.values[s.values.length - 1] ?? 0;

  return (
    <figure className="chart-figure">
      <svg
        className="chart chart--lines"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>
          {description}{' '}
          {n > 0
            ? `From ${formatDay(days[0]!)} to ${formatDay(days[n - 1]!)}: ${series
                .map((s) => `${s.name} ${formatValue(last(s), 'count')} on the last day`)
                .join(', ')}.`
            : 'No data yet.'}
        </desc>
        {axis.ticks.map((t) => (
          <g key={t} aria-hidden="true">
            <line className="chart__grid" x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} />
            <text className="chart__tick" x={LEFT - 8} y={y(t) + 4} textAnchor="end">
              {formatValue(t, 'count')}
            </text>
          </g>
        ))}
        {spreadIndexes(n, 6).map((i) => (
          <text
            key={days[i]}
            className="chart__tick"
            x={xAt(i)}
            y={HEIGHT - 8}
            textAnchor={n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle'}
            aria-hidden="true"
          >
            {formatDay(days[i]!)}
          </text>
        ))}
        {series.map((s, k) => {
          const points = s.values.map((v, i) => `${xAt(i).toFixed(1)},${y(v).toFixed(1)}`);
          const cls = `chart__series chart__series--${(k % 4) + 1}`;
          return (
            <g key={s.name} className={cls} aria-hidden="true">
              {s.area && n > 1 ? (
                <polygon
                  className="chart__area"
                  points={`${xAt(0)},${y(0)} ${points.join(' ')} ${xAt(n - 1)},${y(0)}`}
                />
              ) : null}
              {n > 1 ? <polyline className="chart__line" points={points.join(' ')} /> : null}
              {n <= 31
                ? s.values.map((v, i) => (
                    <circle key={i} className="chart__dot" cx={xAt(i)} cy={y(v)} r={3} />
                  ))
                : null}
            </g>
          );
        })}
        <line className="chart__axis" x1={LEFT} x2={WIDTH - RIGHT} y1={y(0)} y2={y(0)} aria-hidden="true" />
      </svg>
      <figcaption className="chart-legend">
        {series.map((s, k) => (
          <span key={s.name} className="chart-legend__item">
            <span className={`chart-legend__swatch chart__series--${(k % 4) + 1}`} aria-hidden="true" />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
