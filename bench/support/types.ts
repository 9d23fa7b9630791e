/** What every scenario receives from `bench/run.ts`. */
export interface BenchContext {
  /** `--quick`: a reduced run (under 3 minutes for all scenarios), for before/after a change and CI smoke. */
  quick: boolean;
  /** Rounds per comparison; ours and the baseline alternate within each round, the median is quoted. */
  rounds: number;
  /** Postgres server on which scenarios create their own throw-away databases. */
  databaseUrl: string;
  redisUrl: string;
  /** Progress lines (stderr), so stdout stays the result table. */
  log(line: string): void;
}

/** A goal on ratio = ours / baseline, e.g. throughput ≥ 0.6 or p99 ≤ 2. */
export interface Goal {
  op: '>=' | '<=';
  value: number;
}

/** One figure of a scenario, compared with its baseline when it has one. */
export interface Measurement {
  scenario: string;
  metric: string;
  unit: string;
  ours: number;
  baseline?: number;
  baselineLabel?: string;
  /** ours / baseline. */
  ratio?: number;
  goal?: Goal;
  met?: boolean;
  /** Every round's figures and anything else worth keeping in the JSON (not in the table). */
  detail?: Record<string, unknown>;
}

export interface Scenario {
  /** Short id used by `--only`, e.g. "ingest". */
  id: string;
  title: string;
  run(context: BenchContext): Promise<Measurement[]>;
}
