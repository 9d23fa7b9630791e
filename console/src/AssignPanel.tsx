// Who works the conversation: assign it to an agent (with their availability and load), or transfer it
// to a team (routed within it) or an agent with a note for them (the server records it as a private note).
import { useState } from 'react';
import type { ConsoleAgentFragment } from './generated/graphql.js';
import { useI18n } from './i18n.js';

export interface TeamOption {
  id: string;
  name: string;
}

type Target = { kind: 'agent'; id: string } | { kind: 'team'; id: string };

const encode = (target: Target) => `${target.kind}:${target.id}`;
function decode(value: string): Target | null {
  const [kind, ...rest] = value.split(':');
  const id = rest.join(':');
  if (!id) return null;
  return kind === 'agent' ? { kind, id } : kind === 'team' ? { kind, id } : null;
}

export function AssignPanel({
  agents,
  teams,
  assigneeId,
  disabled,
  onAssign,
  onTransfer,
}: {
  agents: readonly ConsoleAgentFragment[];
  teams: readonly TeamOption[];
  assigneeId: string | null;
  disabled: boolean;
  onAssign: (agentId: string) => Promise<boolean>;
  onTransfer: (target: { agentId?: string; teamId?: string }, note: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const target = decode(value);

  const done = (ok: boolean) => {
    if (ok) {
      setValue('');
      setNote('');
    }
  };

  return (
    <section className="work__box" aria-labelledby="assign-title" data-testid="assign-panel">
      <h3 className="section-title" id="assign-title">
        {t.work.assignTitle}
      </h3>
      <label className="field">
        <span className="field__label">{t.work.target}</span>
        <select
          className="input"
          value={value}
          disabled={disabled}
          onChange={(event) => setValue(event.target.value)}
          data-testid="assign-target"
        >
          <option value="">{t.header.choose}</option>
          <optgroup label={t.work.agents}>
            {agents.map((agent) => (
              <option
                key={agent.id}
                value={encode({ kind: 'agent', id: agent.id })}
                disabled={agent.id === assigneeId}
              >
                {t.work.agentOption(
                  agent.name,
                  agent.available,
                  agent.activeConversationCount,
                  agent.maxConcurrent,
                )}
              </option>
            ))}
          </optgroup>
          {teams.length > 0 && (
            <optgroup label={t.work.teams}>
              {teams.map((team) => (
                <option key={team.id} value={encode({ kind: 'team', id: team.id })}>
                  {`${t.work.team}: ${team.name}`}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="field">
        <span className="field__label">{t.work.transferNote}</span>
        <input
          className="input"
          value={note}
          maxLength={500}
          disabled={disabled}
          onChange={(event) => setNote(event.target.value)}
          data-testid="assign-note"
        />
      </label>
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={disabled || target?.kind !== 'agent'}
          data-testid="assign-submit"
          onClick={() => {
            if (target?.kind === 'agent') void onAssign(target.id).then(done);
          }}
        >
          {t.work.assign}
        </button>
        <button
          type="button"
          className="button"
          disabled={disabled || !target}
          data-testid="transfer-submit"
          onClick={() => {
            if (!target) return;
            const to = target.kind === 'agent' ? { agentId: target.id } : { teamId: target.id };
            void onTransfer(to, note.trim()).then(done);
          }}
        >
          {t.work.transfer}
        </button>
      </div>
    </section>
  );
}
