// Labels (add, remove; the server lower-cases them, routing matches them with agents' topics) and the
// conversation's priority.
import { useId, useState, type FormEvent } from 'react';
import type { ConversationPriority } from './generated/graphql.js';
import { useI18n } from './i18n.js';

const PRIORITIES: readonly ConversationPriority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];

export function TriagePanel({
  labels,
  priority,
  disabled,
  onAddLabel,
  onRemoveLabel,
  onPriority,
}: {
  labels: readonly string[];
  priority: ConversationPriority;
  disabled: boolean;
  onAddLabel: (label: string) => Promise<boolean>;
  onRemoveLabel: (label: string) => Promise<boolean>;
  onPriority: (priority: ConversationPriority) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [label, setLabel] = useState('');
  const inputId = useId();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const next = label.trim();
    if (next && (await onAddLabel(next))) setLabel('');
  };

  return (
    <section className="work__box" aria-labelledby="triage-labels" data-testid="triage-panel">
      <h3 className="section-title" id="triage-labels">
        {t.work.labels}
      </h3>
      {labels.length === 0 ? (
        <p className="muted">{t.work.noLabels}</p>
      ) : (
        <ul className="labels" data-testid="labels">
          {labels.map((name) => (
            <li key={name} className="label" data-testid="label" data-label={name}>
              <bdi>{name}</bdi>
              <button
                type="button"
                className="label__remove"
                aria-label={t.work.removeLabel(name)}
                title={t.work.removeLabel(name)}
                disabled={disabled}
                data-testid="label-remove"
                onClick={() => void onRemoveLabel(name)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="labels__add" onSubmit={(event) => void add(event)}>
        <label className="visually-hidden" htmlFor={inputId}>
          {t.work.newLabel}
        </label>
        <input
          id={inputId}
          className="input"
          value={label}
          maxLength={50}
          placeholder={t.work.newLabel}
          disabled={disabled}
          onChange={(event) => setLabel(event.target.value)}
          data-testid="label-input"
        />
        <button
          type="submit"
          className="button button--small"
          disabled={disabled || label.trim() === ''}
          data-testid="label-add"
        >
          {t.work.addLabel}
        </button>
      </form>
      <label className="field">
        <span className="field__label">{t.work.choosePriority}</span>
        <select
          className="input"
          value={priority}
          disabled={disabled}
          onChange={(event) => void onPriority(event.target.value as ConversationPriority)}
          data-testid="priority-select"
        >
          {PRIORITIES.map((option) => (
            <option key={option} value={option}>
              {t.priorities[option]}
            </option>
          ))}
        </select>
      </label>
    </section>
  );
}
