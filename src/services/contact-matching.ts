// Contact matching: one contact per person across channels. A customer is known by (organization, channel,
// external id); a new one is matched to a contact known on another channel by phone number.
import type { Channel } from '../generated/prisma/enums.js';
import type { Tx } from './transactions.js';

/** Who the conversation is with, as the channel knows them. */
export interface Customer {
  externalId: string;
  name?: string | null;
  phone?: string | null;
}

/** A customer as the batch gives it: on a channel of an organization. */
export interface CustomerOnChannel {
  organizationId: string;
  channel: Channel;
  customer: Customer;
}

/** The key of a customer in the maps of `resolveContacts`. */
export const customerKey = (organizationId: string, channel: Channel, externalId: string) =>
  `${organizationId}\u0000${channel}\u0000${externalId}`;

/** Channels whose customer id is a phone number, so the same number on another channel is the same person. */
const PHONE_CHANNELS: readonly Channel[] = ['WHATSAPP', 'SMS'];

export function normalizePhone(value: string): string | null {
  const digits = value.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{7,15}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : null;
}

/**
 * The contact of each customer (organization, channel, external id) of the batch, found with one query
 * for the known ones; a new customer gets a contact (or, matched by phone, the one known on another
 * channel) and its identifier, in the order customers first appear. A name given later fills a contact's
 * missing name, as storing the messages one by one would.
 */
export async function resolveContacts(tx: Tx, inputs: CustomerOnChannel[]): Promise<Map<string, string>> {
  const customers = new Map<string, { organizationId: string; channel: Channel; inputs: Customer[] }>();
  for (const { organizationId, channel, customer: given } of inputs) {
    const key = customerKey(organizationId, channel, given.externalId);
    const customer = customers.get(key);
    if (customer) customer.inputs.push(given);
    else customers.set(key, { organizationId, channel, inputs: [given] });
  }
  const contactIds = new Map<string, string>();
  if (customers.size === 0) return contactIds;
  const identifiers = await tx.contactIdentifier.findMany({
    where: {
      OR: [...customers.values()].map(({ organizationId, channel, inputs: [first] }) => ({
        organizationId,
        channel,
        externalId: first!.externalId,
      })),
    },
    select: {
      organizationId: true,
      channel: true,
      externalId: true,
      contactId: true,
      contact: { select: { name: true } },
    },
  });
  const known = new Map(
    identifiers.map((row) => [customerKey(row.organizationId, row.channel, row.externalId), row]),
  );
  for (const [key, { organizationId, channel, inputs: given }] of customers) {
    const identifier = known.get(key);
    let contact: { id: string; name: string | null };
    let rest = given;
    if (identifier) {
      contact = { id: identifier.contactId, name: identifier.contact.name };
    } else {
      contact = await createContact(tx, organizationId, channel, given[0]!);
      rest = given.slice(1);
    }
    const name = contact.name ? undefined : rest.find((customer) => customer.name)?.name;
    if (name) await tx.contact.update({ where: { id: contact.id }, data: { name } });
    contactIds.set(key, contact.id);
  }
  return contactIds;
}

/** A customer seen for the first time: its identifier, on the contact known by phone or a new one. */
async function createContact(
  tx: Tx,
  organizationId: string,
  channel: Channel,
  customer: Customer,
): Promise<{ id: string; name: string | null }> {
  const phone =
    (customer.phone ? normalizePhone(customer.phone) : null) ??
    (PHONE_CHANNELS.includes(channel) ? normalizePhone(customer.externalId) : null);
  // The same person already known on another channel (matched by phone) gets this channel's identifier.
  const known = phone
    ? await tx.contact.findFirst({
        where: { organizationId, phone },
        orderBy: { createdAt: 'asc' },
        select: { id: true, name: true },
      })
    : null;
  const contact =
    known ??
    (await tx.contact.create({
      data: { organizationId, name: customer.name ?? null, phone },
      select: { id: true, name: true },
    }));
  await tx.contactIdentifier.create({
    data: { organizationId, channel, externalId: customer.externalId, contactId: contact.id },
  });
  return contact;
}
