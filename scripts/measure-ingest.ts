// `npm run measure:ingest [-- --count 1000]`: p50/p99 of one ingestMessage end to end (HTTP, API key,
// insert, commit) in a simple sequential loop against a real server on this machine. DATABASE_URL picks
// Postgres (a throw-away database is created on that server); unset runs on an in-memory PGlite.
import { quantile, startMeasureServer } from './support/measure-server.js';

const countArg = process.argv.indexOf('--count');
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 1000;
const measure = await startMeasureServer('measure_ingest');
const INGEST = `mutation($i: IngestMessageInput!) { ingestMessage(input: $i) { botShouldReply message { id } } }`;

try {
  const durations: number[] = [];
  for (let i = 0; i < count + 50; i++) {
    const started = performance.now();
    await measure.gql(
      INGEST,
      {
        i: {
          appServiceId: measure.tenant.appServiceId,
          customer: { externalId: `+9715${String(i % 100).padStart(8, '0')}` },
          content: `message ${i}`,
          idempotencyKey: `bench-${i}`,
        },
      },
      { 'x-api-key': measure.tenant.apiKey },
    );
    // The first 50 warm up the JIT and the connection pool.
    if (i >= 50) durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  console.log(
    `ingestMessage over HTTP on ${measure.db.kind}, ${count} sequential calls (100 customers): ` +
      `p50 ${quantile(durations, 0.5).toFixed(2)} ms, p90 ${quantile(durations, 0.9).toFixed(2)} ms, ` +
      `p99 ${quantile(durations, 0.99).toFixed(2)} ms`,
  );
} finally {
  await measure.stop();
}
