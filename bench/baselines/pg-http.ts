// The dashboard's second baseline: the inbox page by hand, hand-written `pg` queries and JSON over plain
// node:http, answering the same JSON as the platform's GraphQL endpoint for the Inbox query (same field
// order, same global ids and cursors). It does the same work per request: checks the Bearer session and the
// membership of the app service's organization, counts the app service's conversations, reads the page
// (conversations with contact and assignee, one query) and the last N messages of each (one LATERAL query).
// DATABASE_URL, PORT, POOL_SIZE (default 10, the platform's pool) from the environment; /healthz for readiness.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  connectionTimeoutMillis: 10_000,
  statement_timeout: 30_000,
});

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');
const cursorOf = (id: string) => Buffer.from(`GPC:S:${id}`).toString('base64');
const iso = (value: Date | null) => (value ? value.toISOString() : null);

interface Variables {
  appServiceId: string;
  first?: number;
  messages?: number;
}

interface ConversationRow {
  id: string;
  status: string;
  priority: string;
  labels: string[];
  escalated_at: Date | null;
  last_message_at: Date;
  contact_name: string | null;
  contact_phone: string | null;
  has_contact: boolean;
  assignee_name: string | null;
}

interface MessageRow {
  conversation_id: string;
  id: string;
  content: string;
  sender_type: string;
  sent_at: Date;
}

async function inbox(token: string, variables: Variables): Promise<unknown> {
  const raw = Buffer.from(variables.appServiceId, 'base64url').toString('utf8');
  const appServiceId = raw.startsWith('AppService:') ? raw.slice('AppService:'.length) : null;
  if (!appServiceId) return { data: { node: null } };
  const first = Math.min(Math.max(variables.first ?? 20, 0), 100);
  const last = Math.min(Math.max(variables.messages ?? 10, 0), 200);
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const access = await pool.query<{ name: string; organization_id: string }>(
    `SELECT a.name, a.organization_id
       FROM sessions s
       JOIN memberships m ON m.user_id = s.user_id
       JOIN organizations o ON o.id = m.organization_id AND o.active
       JOIN app_services a ON a.organization_id = m.organization_id AND a.id = $2
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [tokenHash, appServiceId],
  );
  const appService = access.rows[0];
  if (!appService) return { data: { node: null } };
  const [count, page] = await Promise.all([
    pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM conversations WHERE app_service_id = $1 AND organization_id = $2`,
      [appServiceId, appService.organization_id],
    ),
    pool.query<ConversationRow>(
      `SELECT c.id, c.status, c.priority, c.labels, c.escalated_at, c.last_message_at,
              ct.id IS NOT NULL AS has_contact, ct.name AS contact_name, ct.phone AS contact_phone,
              ag.name AS assignee_name
         FROM conversations c
         LEFT JOIN contacts ct ON ct.id = c.contact_id
         LEFT JOIN agents ag ON ag.id = c.assignee_id
        WHERE c.app_service_id = $1 AND c.organization_id = $2
        ORDER BY c.last_message_at DESC, c.id DESC
        LIMIT $3`,
      [appServiceId, appService.organization_id, first + 1],
    ),
  ]);
  const conversations = page.rows.slice(0, first);
  const messages = await pool.query<MessageRow>(
    `SELECT m.conversation_id, m.id, m.content, m.sender_type, m.sent_at
       FROM unnest($1::uuid[]) AS v(id)
       CROSS JOIN LATERAL (
         SELECT * FROM messages WHERE conversation_id = v.id ORDER BY index DESC LIMIT $2
       ) AS m
      ORDER BY m.conversation_id, m.index`,
    [conversations.map((c) => c.id), last],
  );
  const byConversation = new Map<string, MessageRow[]>();
  for (const row of messages.rows) {
    const list = byConversation.get(row.conversation_id);
    if (list) list.push(row);
    else byConversation.set(row.conversation_id, [row]);
  }
  const lastConversation = conversations[conversations.length - 1];
  return {
    data: {
      node: {
        __typename: 'AppService',
        name: appService.name,
        conversations: {
          totalCount: count.rows[0]!.count,
          pageInfo: {
            hasNextPage: page.rows.length > first,
            endCursor: lastConversation ? cursorOf(lastConversation.id) : null,
          },
          edges: conversations.map((c) => ({
            node: {
              id: globalId('Conversation', c.id),
              status: c.status,
              priority: c.priority,
              labels: c.labels,
              escalatedAt: iso(c.escalated_at),
              lastMessageAt: iso(c.last_message_at),
              contact: c.has_contact ? { name: c.contact_name, phone: c.contact_phone } : null,
              assignee: c.assignee_name === null ? null : { name: c.assignee_name },
              messages: {
                edges: (byConversation.get(c.id) ?? []).map((m) => ({
                  node: {
                    id: globalId('Message', m.id),
                    content: m.content,
                    senderType: m.sender_type,
                    sentAt: iso(m.sent_at),
                  },
                })),
              },
            },
          })),
        },
      },
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/healthz') return send(response, 200, { ok: true });
  if (request.method !== 'POST') return send(response, 405, { errors: [{ message: 'POST only' }] });
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: Variables };
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token || !body.variables?.appServiceId) {
    return send(response, 401, { errors: [{ message: 'Bearer token and appServiceId required' }] });
  }
  send(response, 200, await inbox(token, body.variables));
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) =>
    send(response, 500, { errors: [{ message: error instanceof Error ? error.message : String(error) }] }),
  );
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
const stop = () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
