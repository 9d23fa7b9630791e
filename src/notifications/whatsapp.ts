import { DeliveryError } from './delivery-error.js';
import type { EscalationNotice, NoticeSender } from './notice.js';
import { noticeText, noticeTime } from './notice-text.js';

export interface WhatsAppTemplate {
  /** An approved message template of the WhatsApp Business account. */
  name: string;
  /** Its language code, e.g. "en" or "en_US". */
  language: string;
}

export interface WhatsAppSenderOptions {
  /** WHATSAPP_API_URL, the Graph API base with its version, e.g. https://graph.facebook.com/v21.0. */
  apiUrl: string;
  /** WHATSAPP_TOKEN, a system-user access token. */
  token: string;
  /** WHATSAPP_PHONE_NUMBER_ID, the business number that sends. */
  phoneNumberId: string;
  /**
   * Sends this template instead of a text message: free-form text only reaches people who wrote to the
   * business number in the last 24 hours. Its body takes {{1}} customer number, {{2}} event code,
   * {{3}} time (ISO 8601, UTC) and {{4}} the dashboard link.
   */
  template?: WhatsAppTemplate;
  timeoutMs?: number;
}

/** The JSON body of a Cloud API message to `to` (digits with country code). */
export function whatsAppMessage(to: string, notice: EscalationNotice, template?: WhatsAppTemplate) {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to } as const;
  if (!template) {
    return { ...base, type: 'text', text: { preview_url: false, body: noticeText(notice) } } as const;
  }
  const parameters = [notice.customerNumber, notice.event, noticeTime(notice), notice.link].map((text) => ({
    type: 'text' as const,
    text,
  }));
  return {
    ...base,
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [{ type: 'body', parameters }],
    },
  } as const;
}

/** Cloud API error codes that mean "too many, try later" even though the status is 400. */
const rateLimitCodes = new Set([4, 80007, 130429, 131048, 131056]);

/** Escalation notices over the WhatsApp Cloud API: POST {apiUrl}/{phoneNumberId}/messages. */
export function createWhatsAppSender(options: WhatsAppSenderOptions): NoticeSender {
  const endpoint = `${options.apiUrl.replace(/\/+$/, '')}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(target, notice) {
      const to = target.replace(/\D/g, '');
      if (to.length < 6) throw new DeliveryError(`"${target}" is not a phone number`, true);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(whatsAppMessage(to, notice, options.template)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : String(error);
        throw new DeliveryError(`WhatsApp API: ${reason}`);
      }
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const { message, code } = await apiErrorOf(response);
      // A refused request (bad number, unknown template) fails the same way next time; limits pass.
      const permanent =
        (response.status === 400 || response.status === 404) &&
        !(code !== undefined && rateLimitCodes.has(code));
      throw new DeliveryError(`WhatsApp API ${response.status}: ${message}`, permanent);
    },
  };
}

/** The Graph API's { error: { message, code } }, or the start of whatever else came back. */
async function apiErrorOf(response: Response): Promise<{ message: string; code?: number }> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } };
    const { message, code } = body.error ?? {};
    if (typeof message === 'string') {
      return {
        message: typeof code === 'number' ? `(#${code}) ${message}` : message,
        code: typeof code === 'number' ? code : undefined,
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { message: text.slice(0, 200) || response.statusText };
}
