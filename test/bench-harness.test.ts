import { describe, expect, it } from 'vitest';
import { alternate, compare, median, quantile, report } from '../bench/support/measurement.js';
import { resultTable } from '../bench/support/table.js';
import { scenarios } from '../bench/scenarios/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('benchmark harness', () => {
  it('alternates which side runs first each round and quotes the medians', async () => {
    const order: string[] = [];
    let oursValue = 0;
    let baselineValue = 100;
    const result = await alternate(4, {
      ours: async () => {
        order.push('ours');
        return (oursValue += 10);
      },
      baseline: async () => {
        order.push('baseline');
        return (baselineValue -= 10);
      },
    });
    expect(order).toEqual(['ours', 'baseline', 'baseline', 'ours', 'ours', 'baseline', 'baseline', 'ours']);
    expect(result.oursRounds).toEqual([10, 20, 30, 40]);
    expect(result.ours).toBe(25);
    expect(result.baseline).toBe(75);
  });

  it('computes ratio = ours / baseline and checks it against the goal in both directions', () => {
    const throughput = compare({
      scenario: 'ingest',
      metric: 'throughput',
      unit: 'req/s',
      ours: 300,
      baseline: 1000,
      baselineLabel: 'pg',
      goal: { op: '>=', value: 0.6 },
    });
    expect(throughput.ratio).toBeCloseTo(0.3);
    expect(throughput.met).toBe(false);
    const latency = compare({
      scenario: 'subscriptions',
      metric: 'p99',
      unit: 'ms',
      ours: 15,
      baseline: 10,
      baselineLabel: 'ws',
      goal: { op: '<=', value: 2 },
    });
    expect(latency.met).toBe(true);
    // A zero baseline gives no ratio, and no goal can be met on it.
    const zero = compare({
      scenario: 's',
      metric: 'p99',
      unit: 'ms',
      ours: 1,
      baseline: 0,
      baselineLabel: 'ws',
      goal: { op: '<=', value: 2 },
    });
    expect(zero.met).toBe(false);
    expect(
      report({ scenario: 's', metric: 'calls', unit: '', ours: 51, goal: { op: '<=', value: 50 } }).met,
    ).toBe(false);
  });

  it('takes medians and quantiles of unsorted figures', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(quantile([10, 1, 5, 7], 0.5)).toBe(7);
    expect(quantile([10, 1, 5, 7], 0.99)).toBe(10);
  });

  it('writes one table row per figure, marking missed goals', () => {
    const table = resultTable([
      compare({
        scenario: 'ingest',
        metric: 'throughput',
        unit: 'req/s',
        ours: 300,
        baseline: 1000,
        baselineLabel: 'pg',
        goal: { op: '>=', value: 0.6 },
      }),
      report({ scenario: 'startup', metric: 'embedded first start', unit: 'ms', ours: 1234.5 }),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('| 300 req/s | 1,000 req/s (pg) | 0.3 | >= 0.6 | **missed** |');
    expect(lines[3]).toContain('| 1,235 ms |');
  });

  it('is the one harness: every scenario has its own id, and no measure:* scripts remain beside it', () => {
    const ids = scenarios.map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    // What the former scripts/measure-*.ts measured: ingest and escalation latency, monitoring (here),
    // realtime fan-out (subscriptions) and sentiment model calls (sentiment).
    expect(ids).toEqual(expect.arrayContaining(['latency', 'monitoring', 'subscriptions', 'sentiment']));
    expect(Object.keys(packageJson.scripts).filter((name) => name.startsWith('measure:'))).toEqual([]);
  });
});
