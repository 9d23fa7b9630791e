// The customer: every identifier across channels, and their conversations on every app service of the
// organization (latest activity first), each a link to its address in the console.
import type { Channel, ConversationStatus } from './generated/graphql.js';
import { useI18n } from './i18n.js';
import { linkTo } from './router.js';

export interface ContactDetails {
  name?: string | null;
  phone?: string | null;
  identifiers: readonly { channel: Channel; externalId: string }[];
  conversations: {
    totalCount: number;
    edges: readonly {
      node: {
        id: string;
        status: ConversationStatus;
        lastMessageAt: string;
        messageCount: number;
        appService: { name: string };
      };
    }[];
  };
}

export function ContactPanel({
  contact,
  currentConversationId,
}: {
  contact: ContactDetails;
  currentConversationId: string;
}) {
  const { t, formatTime } = useI18n();
  return (
    <section className="contact" aria-labelledby="contact-title" data-testid="contact-panel">
      <h3 className="section-title" id="contact-title">
        {t.work.contactTitle}
        {contact.name ? ` · ${contact.name}` : ''}
      </h3>
      <h4 className="contact__subtitle">{t.work.identifiers}</h4>
      {contact.identifiers.length === 0 ? (
        <p className="muted">{t.work.noIdentifiers}</p>
      ) : (
        <ul className="contact__list">
          {contact.identifiers.map((identifier) => (
            <li
              key={`${identifier.channel}:${identifier.externalId}`}
              data-testid="contact-identifier"
              data-channel={identifier.channel}
            >
              <span className="badge badge--muted">{t.channels[identifier.channel]}</span>{' '}
              <bdi dir="ltr">{identifier.externalId}</bdi>
            </li>
          ))}
        </ul>
      )}
      <h4 className="contact__subtitle">{t.work.conversations(contact.conversations.totalCount)}</h4>
      <ul className="contact__list">
        {contact.conversations.edges.map(({ node }) => {
          const current = node.id === currentConversationId;
          return (
            <li key={node.id} data-testid="contact-conversation" data-conversation-id={node.id}>
              {current ? (
                <span aria-current="page">
                  {node.appService.name} ({t.work.thisConversation})
                </span>
              ) : (
                <a {...linkTo({ name: 'conversation', conversationId: node.id })}>{node.appService.name}</a>
              )}{' '}
              <span className={`badge badge--status-${node.status.toLowerCase()}`}>
                {t.statuses[node.status]}
              </span>{' '}
              <span className="muted">
                {t.work.messageCount(node.messageCount)} ·{' '}
                <time dateTime={node.lastMessageAt}>{formatTime(node.lastMessageAt)}</time>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
