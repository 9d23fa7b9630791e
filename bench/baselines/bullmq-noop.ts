// The jobs baseline: a BullMQ Worker on the platform's `classification` queue that does nothing with each
// job, with the platform worker's concurrency (WORKER_CONCURRENCY, default 4) and its Redis (REDIS_URL),
// in a process of its own as the platform's worker is. Stops on SIGTERM, letting running jobs finish.
import { Worker } from 'bullmq';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is required');
const queue = process.env.QUEUE ?? 'classification';
const worker = new Worker(queue, async () => undefined, {
  connection: { url: redisUrl },
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
});
worker.on('error', (error) => process.stderr.write(`worker error: ${error.message}\n`));

const stop = () => void worker.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
