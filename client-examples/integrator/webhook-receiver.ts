// A webhook receiver that verifies Standard Webhooks signatures:
// `WEBHOOK_SECRET=whsec_… tsx client-examples/integrator/webhook-receiver.ts [--port 4100]`.
// Register it with createWebhookEndpoint (its secret is shown once); unsigned or tampered requests get 401.
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';

export function startWebhookReceiver(
  secret: string,
  port: number,
  onEvent: (event: unknown) => void,
): Promise<Server> {
  const verifier = new Webhook(secret);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        const event = verifier.verify(body, {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        });
        onEvent(event);
        res.writeHead(204).end();
      } catch {
        res.writeHead(401).end('bad signature');
      }
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('Set WEBHOOK_SECRET to the endpoint secret shown by createWebhookEndpoint.');
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 4100;
  await startWebhookReceiver(secret, port, (event) => console.log(`[webhook] ${JSON.stringify(event)}`));
  console.log(`listening on http://127.0.0.1:${port}/ for signed webhooks`);
}
