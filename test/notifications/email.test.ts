import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/notifications/delivery-error.js';
import { createEmailSender } from '../../src/notifications/email.js';
import { createNotificationSenders } from '../../src/notifications/senders.js';
import { sampleNotice } from './support.js';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A minimal MIME reader: top-level headers and the decoded parts of a multipart/alternative message. */
function parseMail(raw: string) {
  const split = (text: string) => {
    const index = text.indexOf('\r\n\r\n');
    const head = text.slice(0, index).replace(/\r\n[ \t]+/g, ' ');
    const headers = new Map<string, string>();
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { headers, body: text.slice(index + 4) };
  };
  const decode = (body: string, encoding = '7bit') => {
    if (/quoted-printable/i.test(encoding)) {
      const bytes = body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    return body;
  };
  const message = split(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(message.headers.get('content-type') ?? '')?.[1];
  const parts = new Map<string, string>();
  for (const chunk of boundary ? message.body.split(`--${boundary}`).slice(1, -1) : []) {
    const part = split(chunk.replace(/^\r\n/, ''));
    const type = (part.headers.get('content-type') ?? '').split(';')[0]!;
    parts.set(type, decode(part.body, part.headers.get('content-transfer-encoding')));
  }
  return {
    headers: message.headers,
    text: parts.get('text/plain') ?? '',
    html: parts.get('text/html') ?? '',
  };
}

describe('email notifications over SMTP (a real local SMTP server)', () => {
  let server: SMTPServer;
  let port: number;
  const received: ReceivedMail[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        // A mailbox that does not exist: a permanent 550.
        if (address.address.startsWith('nobody@')) {
          const error = Object.assign(new Error('No such user'), { responseCode: 550 });
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          received.push({
            from,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends subject, text and HTML with the number, the event, the time and the link', async () => {
    const sender = createEmailSender({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'Alerts <alerts@example.test>',
    });
    const notice = sampleNotice();
    try {
      await sender.send('ops@example.test', notice);
    } finally {
      sender.close();
    }

    expect(received).toHaveLength(1);
    const [mail] = received as [ReceivedMail];
    expect(mail.from).toBe('alerts@example.test');
    expect(mail.to).toEqual(['ops@example.test']);
    const { headers, text, html } = parseMail(mail.raw);
    expect(headers.get('subject')).toBe('Escalation: customer +971500000123 wants a human');
    expect(headers.get('to')).toBe('ops@example.test');
    expect(headers.get('x-escalation-id')).toBe(notice.escalationId);

    for (const body of [text, html]) {
      expect(body).toContain('+971500000123');
      expect(body).toContain('user_request_to_speak_to_human');
      expect(body).toContain('2026-11-21T09:00:00.000Z');
      expect(body).toContain(notice.link);
    }
    expect(text).toContain(
      'Open the conversation: https://dashboard.example.test/conversations/Q29udmVyc2F0aW9uOjE',
    );
    expect(text).toContain('I want to talk to a real person <now> & "fast"');
    expect(html).toContain(`<a href="${notice.link}">`);
    // The customer's words are escaped, never markup.
    expect(html).toContain('I want to talk to a real person &lt;now&gt; &amp; &quot;fast&quot;');
    expect(html).not.toContain('<now>');
  });

  it('says what each escalation type is about in the subject', async () => {
    const sender = createEmailSender({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'alerts@example.test' });
    try {
      await sender.send(
        'ops@example.test',
        sampleNotice({ type: 'DISCOUNT_REQUEST', event: 'user_request_for_discount' }),
      );
    } finally {
      sender.close();
    }
    const mail = received.at(-1)!;
    expect(parseMail(mail.raw).headers.get('subject')).toBe(
      'Escalation: customer +971500000123 asks for a discount',
    );
  });

  it('reports a refused mailbox as a permanent failure and an unreachable server as a retryable one', async () => {
    const sender = createEmailSender({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'alerts@example.test' });
    const count = received.length;
    const refused = await sender.send('nobody@example.test', sampleNotice()).catch((error: unknown) => error);
    sender.close();
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).permanent).toBe(true);
    expect((refused as DeliveryError).message).toMatch(/^SMTP: .*No such user/);
    expect(received).toHaveLength(count);

    // A port with nothing listening: a closed server socket's port.
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = createEmailSender({ smtpUrl: `smtp://127.0.0.1:${deadPort}`, from: 'alerts@example.test' });
    const unreachable = await down.send('ops@example.test', sampleNotice()).catch((error: unknown) => error);
    down.close();
    expect(unreachable).toBeInstanceOf(DeliveryError);
    expect((unreachable as DeliveryError).permanent).toBe(false);
  });

  it('picks the senders from the configuration: none for a channel that is not configured', async () => {
    const bare = createNotificationSenders({
      smtp: undefined,
      whatsapp: undefined,
      allowPrivateWebhooks: false,
    });
    expect(bare.channels).toEqual({ email: false, whatsapp: false });
    expect(bare.senders.email).toBeUndefined();
    expect(bare.senders.whatsapp).toBeUndefined();
    expect(typeof bare.senders.webhook).toBe('function');
    bare.close();

    const configured = createNotificationSenders({
      smtp: { url: `smtp://127.0.0.1:${port}`, from: 'alerts@example.test' },
      whatsapp: { apiUrl: 'https://graph.example.test/v21.0', token: 't', phoneNumberId: '1' },
      allowPrivateWebhooks: false,
    });
    expect(configured.channels).toEqual({ email: true, whatsapp: true });
    const count = received.length;
    await configured.senders.email!.send('ops@example.test', sampleNotice());
    configured.close();
    expect(received).toHaveLength(count + 1);
  });
});
