// The reply box: a public reply or a private note (which looks different while it is written and goes
// back to public after sending), a counter against the channel's limit that blocks an over-long reply,
// and "/" at the start for the organization's canned responses (arrows, Enter, Escape).
import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import {
  CannedMenu,
  fillCannedVariables,
  matchCanned,
  slashQuery,
  type CannedResponse,
  type CannedValues,
} from './CannedResponses.js';
import type { Channel } from './generated/graphql.js';
import { useI18n } from './i18n.js';

/** What any message may hold (the server's MAX_MESSAGE_LENGTH): the limit of a private note. */
const NOTE_LIMIT = 20_000;

/** Counted as the server counts it (code points: an emoji is one character). */
const lengthOf = (text: string) => [...text].length;

/**
 * Drafts live in the tab's sessionStorage, per conversation: a reload, or signing in again after the
 * session ended, gives them back; closing the tab forgets them.
 */
const draftKey = (conversationId: string) => `console.draft.${conversationId}`;
function readDraft(conversationId: string): string {
  try {
    return sessionStorage.getItem(draftKey(conversationId)) ?? '';
  } catch {
    return '';
  }
}
function keepDraft(conversationId: string, draft: string): void {
  try {
    if (draft) sessionStorage.setItem(draftKey(conversationId), draft);
    else sessionStorage.removeItem(draftKey(conversationId));
  } catch {
    // Storage full or unavailable: the draft just is not kept.
  }
}

export function ReplyBox({
  conversationId,
  canReply,
  busy,
  sending,
  channel,
  maxReplyLength,
  canned,
  cannedValues,
  onSend,
  inputRef,
}: {
  conversationId: string;
  canReply: boolean;
  busy: boolean;
  sending: boolean;
  channel: Channel;
  maxReplyLength: number;
  canned: readonly CannedResponse[];
  cannedValues: CannedValues;
  /** Resolves to whether it was sent. */
  onSend: (content: string, isPrivate: boolean) => Promise<boolean>;
  inputRef?: Ref<HTMLTextAreaElement>;
}) {
  const { t, formatNumber } = useI18n();
  const menuId = useId();
  const [draft, setDraft] = useState(() => readDraft(conversationId));
  useEffect(() => keepDraft(conversationId, draft), [conversationId, draft]);
  const [privateNote, setPrivateNote] = useState(false);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);

  const query = canReply && !dismissed ? slashQuery(draft) : null;
  const options = query === null ? [] : matchCanned(canned, query);
  const menuOpen = query !== null;
  const activeIndex = Math.min(active, Math.max(options.length - 1, 0));

  const limit = privateNote ? NOTE_LIMIT : maxReplyLength;
  const length = lengthOf(draft);
  const over = length > limit;

  const edit = (next: string) => {
    setDraft(next);
    setActive(0);
    if (slashQuery(next) === null) setDismissed(false);
  };
  const choose = (chosen: CannedResponse) => {
    setDraft(fillCannedVariables(chosen.content, cannedValues));
    setActive(0);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const content = draft.trim();
    if (!content || over || menuOpen) return;
    if (await onSend(content, privateNote)) {
      setDraft('');
      // The next message is a reply again: a note must be chosen each time.
      setPrivateNote(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (menuOpen) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (options.length > 0) {
          const step = event.key === 'ArrowDown' ? 1 : -1;
          setActive((activeIndex + step + options.length) % options.length);
        }
        return;
      }
      if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        const chosen = options[activeIndex];
        if (chosen) choose(chosen);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissed(true);
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit(event);
  };

  const channelName = t.channels[channel];
  return (
    <form
      className={`reply${privateNote ? ' reply--private' : ''}`}
      onSubmit={(event) => void submit(event)}
      data-testid="reply-form"
      data-private={privateNote ? 'true' : 'false'}
    >
      <label className="field">
        <span className="field__label">
          {privateNote ? t.conversation.privateNote : t.conversation.reply}
        </span>
        {privateNote && (
          <span className="reply__private-banner" data-testid="reply-private-banner">
            {t.work.privateNoteWarning}
          </span>
        )}
        <textarea
          ref={inputRef}
          className="input reply__input"
          rows={3}
          value={draft}
          disabled={!canReply}
          placeholder={
            !canReply
              ? t.conversation.closedHint
              : privateNote
                ? t.work.notePlaceholder
                : t.conversation.replyPlaceholder
          }
          onChange={(event) => edit(event.target.value)}
          onKeyDown={onKeyDown}
          role="combobox"
          aria-expanded={menuOpen}
          aria-controls={menuOpen && options.length > 0 ? menuId : undefined}
          aria-activedescendant={menuOpen && options.length > 0 ? `${menuId}-${activeIndex}` : undefined}
          aria-autocomplete="list"
          aria-invalid={over}
          aria-describedby={`${menuId}-counter`}
          data-testid="reply-input"
        />
      </label>
      {menuOpen && (
        <CannedMenu
          id={menuId}
          title={t.work.cannedTitle}
          empty={t.work.noCanned}
          options={options}
          active={activeIndex}
          onChoose={choose}
          onHover={setActive}
        />
      )}
      <div className="reply__row">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={privateNote}
            disabled={!canReply}
            onChange={(event) => setPrivateNote(event.target.checked)}
            data-testid="reply-private"
          />
          <span>{t.conversation.privateNote}</span>
        </label>
        <span className="reply__end">
          <span
            id={`${menuId}-counter`}
            className={`reply__counter${over ? ' reply__counter--over' : ''}`}
            data-testid="reply-counter"
            data-over={over ? 'true' : 'false'}
            data-limit={limit}
            dir="ltr"
            aria-live={over ? 'polite' : 'off'}
          >
            {t.work.counter(formatNumber(length), formatNumber(limit))}
          </span>
          <button
            type="submit"
            className="button button--primary"
            disabled={!canReply || busy || draft.trim() === '' || over}
            data-testid="reply-send"
          >
            {sending ? t.conversation.sending : t.conversation.send}
          </button>
        </span>
      </div>
      {over ? (
        <p className="reply__too-long" role="alert" data-testid="reply-too-long">
          {t.work.tooLong(formatNumber(limit), privateNote ? t.conversation.privateBadge : channelName)}
        </p>
      ) : (
        canReply && <p className="muted reply__hint">{t.work.cannedHint}</p>
      )}
    </form>
  );
}
