import type { Measurement } from './types.js';

/** The results as a Markdown table: one row per figure, its baseline, ratio and goal. */
export function resultTable(measurements: Measurement[]): string {
  const rows = measurements.map((m) => [
    m.scenario,
    m.metric,
    `${formatNumber(m.ours)} ${m.unit}`,
    m.baseline === undefined
      ? ''
      : `${formatNumber(m.baseline)} ${m.unit} (${m.baselineLabel ?? 'baseline'})`,
    m.ratio === undefined ? '' : formatNumber(m.ratio, 2),
    m.goal ? `${m.goal.op} ${m.goal.value}` : '',
    m.met === undefined ? '' : m.met ? 'met' : '**missed**',
  ]);
  const header = ['scenario', 'figure', 'ours', 'baseline', 'ratio', 'goal', ''];
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function formatNumber(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return String(value);
  const places = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { maximumFractionDigits: places, minimumFractionDigits: 0 });
}
