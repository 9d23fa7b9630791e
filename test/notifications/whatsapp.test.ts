import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/notifications/delivery-error.js';
import { createWhatsAppSender } from '../../src/notifications/whatsapp.js';
import { sampleNotice, startReceiver, type Receiver } from './support.js';

describe('WhatsApp notifications through the Cloud API (a local HTTP server)', () => {
  let receiver: Receiver | undefined;

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs a text message with the number, event, time and link, with the bearer token', async () => {
    receiver = await startReceiver(() => ({
      status: 200,
      body: JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.1' }] }),
    }));
    const sender = createWhatsAppSender({
      apiUrl: `${receiver.url}/v21.0/`,
      token: 'EAAG-test-token',
      phoneNumberId: '106540352242922',
    });
    const notice = sampleNotice();
    await sender.send('+971 50 000 0999', notice);

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v21.0/106540352242922/messages');
    expect(request!.headers.authorization).toBe('Bearer EAAG-test-token');
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body) as {
      messaging_product: string;
      recipient_type: string;
      to: string;
      type: string;
      text: { preview_url: boolean; body: string };
    };
    expect(body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '971500000999',
      type: 'text',
      text: { preview_url: false },
    });
    expect(body.text.body).toContain('Customer +971500000123 wants a human.');
    expect(body.text.body).toContain('Event: user_request_to_speak_to_human');
    expect(body.text.body).toContain('Time: 2026-11-21T09:00:00.000Z');
    expect(body.text.body).toContain(`Open the conversation: ${notice.link}`);
  });

  it('sends the configured template with number, event, time and link as its body parameters', async () => {
    receiver = await startReceiver();
    const sender = createWhatsAppSender({
      apiUrl: receiver.url,
      token: 'token-2',
      phoneNumberId: '42',
      template: { name: 'escalation_alert', language: 'en_US' },
    });
    const notice = sampleNotice();
    await sender.send('+971500000999', notice);

    const [request] = receiver.requests;
    expect(request!.path).toBe('/42/messages');
    expect(request!.headers.authorization).toBe('Bearer token-2');
    expect(JSON.parse(request!.body)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '971500000999',
      type: 'template',
      template: {
        name: 'escalation_alert',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: '+971500000123' },
              { type: 'text', text: 'user_request_to_speak_to_human' },
              { type: 'text', text: '2026-11-21T09:00:00.000Z' },
              { type: 'text', text: notice.link },
            ],
          },
        ],
      },
    });
  });

  it("throws with the API's error: permanent for a refused request, retryable for limits and outages", async () => {
    const answers = [
      {
        status: 400,
        body: JSON.stringify({
          error: {
            message: 'Recipient phone number not in allowed list',
            type: 'OAuthException',
            code: 131030,
          },
        }),
      },
      { status: 400, body: JSON.stringify({ error: { message: 'Rate limit hit', code: 130429 } }) },
      { status: 503, body: 'upstream unavailable' },
    ];
    receiver = await startReceiver((_request, index) => answers[index]!);
    const sender = createWhatsAppSender({ apiUrl: receiver.url, token: 't', phoneNumberId: '1' });
    const failures: DeliveryError[] = [];
    for (let i = 0; i < answers.length; i += 1) {
      const error = await sender.send('+971500000999', sampleNotice()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DeliveryError);
      failures.push(error as DeliveryError);
    }
    expect(failures.map((failure) => [failure.message, failure.permanent])).toEqual([
      ['WhatsApp API 400: (#131030) Recipient phone number not in allowed list', true],
      ['WhatsApp API 400: (#130429) Rate limit hit', false],
      ['WhatsApp API 503: upstream unavailable', false],
    ]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('refuses a target that is not a phone number without calling the API', async () => {
    receiver = await startReceiver();
    const sender = createWhatsAppSender({ apiUrl: receiver.url, token: 't', phoneNumberId: '1' });
    const error = await sender.send('-', sampleNotice()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(true);
    expect(receiver.requests).toHaveLength(0);
  });
});
