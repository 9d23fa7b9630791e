// An OpenAI-compatible chat-completions server with a fixed latency, for the benchmarks that need a model
// which is slow like a real one but costs nothing: `POST /v1/chat/completions` answers after MODEL_LATENCY_MS
// (default 200) with a valid structured answer (a sentiment batch: one NEUTRAL result per conversation id
// asked; a classification: no escalation, after CLASSIFICATION_LATENCY_MS, default MODEL_LATENCY_MS). `GET /stats` tells how many calls it answered (per purpose) and
// how many sentiment conversations they carried; `GET /healthz` answers 200. Listens on HOST:PORT.
import { createServer, type IncomingMessage } from 'node:http';

const latencyMs = Number(process.env.MODEL_LATENCY_MS ?? 200);
const classificationLatencyMs = Number(process.env.CLASSIFICATION_LATENCY_MS ?? latencyMs);
const stats = { calls: 0, sentimentCalls: 0, classificationCalls: 0, conversations: 0, inFlightPeak: 0 };
let inFlight = 0;

interface ChatRequest {
  model?: string;
  messages?: { role: string; content: string }[];
  response_format?: { json_schema?: { name?: string } };
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const isSentiment = (request: ChatRequest) => request.response_format?.json_schema?.name === 'sentiment';

function answerFor(request: ChatRequest): unknown {
  if (isSentiment(request)) {
    const user = request.messages?.find((m) => m.role === 'user')?.content ?? '{}';
    const { conversations = [] } = JSON.parse(user) as { conversations?: { id: string }[] };
    stats.sentimentCalls += 1;
    stats.conversations += conversations.length;
    return {
      results: conversations.map((c) => ({
        conversationId: c.id,
        emotion: 'NEUTRAL',
        score: 0,
        topics: ['orders'],
      })),
    };
  }
  stats.classificationCalls += 1;
  return {
    escalations: [],
    emotion: { emotion: 'NEUTRAL', score: 0 },
    language: 'en',
    topics: ['orders'],
    events: [],
  };
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404).end();
    return;
  }
  stats.calls += 1;
  inFlight += 1;
  stats.inFlightPeak = Math.max(stats.inFlightPeak, inFlight);
  void readBody(req).then((body) => {
    let content: string;
    let delayMs = latencyMs;
    try {
      const request = JSON.parse(body) as ChatRequest;
      if (!isSentiment(request)) delayMs = classificationLatencyMs;
      content = JSON.stringify(answerFor(request));
    } catch {
      inFlight -= 1;
      res.writeHead(400).end();
      return;
    }
    setTimeout(() => {
      inFlight -= 1;
      const completion = {
        id: `chatcmpl-${stats.calls}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'stub',
        choices: [
          { index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } },
        ],
        usage: {
          prompt_tokens: Math.ceil(body.length / 4),
          completion_tokens: Math.ceil(content.length / 4),
          total_tokens: Math.ceil((body.length + content.length) / 4),
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
    }, delayMs);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
