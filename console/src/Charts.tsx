// Small charts, no library: an SVG sparkline, SVG columns for a time series, and HTML bars for shares
// (HTML so that they grow from the start side in both directions).
import type { Emotion } from './generated/graphql.js';

export const EMOTION_COLORS: Record<Emotion, string> = {
  ANGRY: '#d64545',
  DISAPPOINTED: '#e98b2a',
  NEUTRAL: '#8a94a6',
  HAPPY: '#3aa76d',
  SATISFIED: '#2b8fb3',
};

export interface Point {
  value: number;
  /** Shown as the point's tooltip. */
  title: string;
  color?: string;
}

export function Sparkline({
  points,
  min,
  max,
  label,
  testId,
  width = 260,
  height = 64,
}: {
  points: Point[];
  min?: number;
  max?: number;
  label: string;
  testId?: string;
  width?: number;
  height?: number;
}) {
  if (points.length === 0) return null;
  const values = points.map((point) => point.value);
  const low = min ?? Math.min(...values);
  const high = max ?? Math.max(...values);
  const span = high - low || 1;
  const pad = 6;
  const x = (index: number) =>
    points.length === 1 ? width / 2 : pad + (index / (points.length - 1)) * (width - 2 * pad);
  const y = (value: number) => height - pad - ((value - low) / span) * (height - 2 * pad);
  const line = points.map((point, index) => `${x(index).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const zero = low < 0 && high > 0 ? y(0) : null;
  return (
    <svg
      className="chart chart--sparkline"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={points.length}
    >
      {zero !== null && <line className="chart__zero" x1={0} x2={width} y1={zero} y2={zero} />}
      <polyline className="chart__line" points={line} />
      {points.map((point, index) => (
        <circle
          key={index}
          className="chart__dot"
          cx={x(index)}
          cy={y(point.value)}
          r={3.5}
          style={point.color ? { fill: point.color } : undefined}
        >
          <title>{point.title}</title>
        </circle>
      ))}
    </svg>
  );
}

/**
 * Columns over time with axes: the value scale on the start side (0 and the highest value) and a label
 * under every `labelEvery`-th column (the hour). Time runs left to right in both directions of writing.
 */
export function Columns({
  points,
  label,
  testId,
  xLabels,
  labelEvery = 6,
  formatValue = String,
  width = 260,
  height = 64,
}: {
  points: Point[];
  label: string;
  testId?: string;
  /** One per point (e.g. "14:00"); shown every `labelEvery` points. */
  xLabels?: string[];
  labelEvery?: number;
  formatValue?: (value: number) => string;
  width?: number;
  height?: number;
}) {
  if (points.length === 0) return null;
  const high = Math.max(1, ...points.map((point) => point.value));
  const axis = 24;
  const under = xLabels ? 14 : 2;
  const top = 6;
  const plot = width - axis;
  const slot = plot / points.length;
  const gap = Math.min(2, slot / 4);
  const base = height;
  return (
    <svg
      className="chart chart--columns"
      viewBox={`0 0 ${width} ${height + under}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={points.length}
      direction="ltr"
    >
      <g className="chart__axis" data-testid={testId ? `${testId}-y-axis` : undefined}>
        <line x1={axis - 0.5} x2={axis - 0.5} y1={top} y2={base} />
        <text x={axis - 4} y={top + 4} textAnchor="end">
          {formatValue(high)}
        </text>
        <text x={axis - 4} y={base} textAnchor="end">
          {formatValue(0)}
        </text>
      </g>
      <line className="chart__zero" x1={axis} x2={width} y1={base - 0.5} y2={base - 0.5} />
      {points.map((point, index) => {
        const barHeight = (point.value / high) * (base - top);
        return (
          <rect
            key={index}
            className="chart__column"
            x={axis + index * slot + gap / 2}
            y={base - barHeight}
            width={Math.max(1, slot - gap)}
            height={barHeight}
            style={point.color ? { fill: point.color } : undefined}
          >
            <title>{point.title}</title>
          </rect>
        );
      })}
      {xLabels && (
        <g className="chart__axis" data-testid={testId ? `${testId}-x-axis` : undefined}>
          {xLabels.map((text, index) =>
            index % labelEvery === 0 ? (
              <text key={index} x={axis + index * slot} y={height + under - 2} textAnchor="start">
                {text}
              </text>
            ) : null,
          )}
        </g>
      )}
    </svg>
  );
}

export interface Bar {
  key: string;
  label: string;
  /** 0..1 */
  share: number;
  value: string;
  color: string;
}

export function Bars({ bars, testId }: { bars: Bar[]; testId?: string }) {
  return (
    <ul className="bars" data-testid={testId}>
      {bars.map((bar) => (
        <li key={bar.key} className="bars__row" data-key={bar.key}>
          <span className="bars__label">{bar.label}</span>
          <span className="bars__track">
            <span
              className="bars__fill"
              style={{ inlineSize: `${Math.round(bar.share * 100)}%`, backgroundColor: bar.color }}
            />
          </span>
          <span className="bars__value">{bar.value}</span>
        </li>
      ))}
    </ul>
  );
}
