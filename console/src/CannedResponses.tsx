// Canned responses behind the "/" shortcut: the list filtered by what follows the slash, and the
// variables the server also fills ({{contact_name}}, {{contact_phone}}, {{agent_name}},
// {{organization_name}}) filled here, so the agent sees and can edit the final text before sending.

export interface CannedResponse {
  id: string;
  shortCode: string;
  content: string;
}

export type CannedValues = Record<
  'contact_name' | 'contact_phone' | 'agent_name' | 'organization_name',
  string
>;

const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** The text with the known variables filled; an unknown one stays as written. */
export function fillCannedVariables(content: string, values: CannedValues): string {
  return content
    .replace(VARIABLE, (match, name: string) =>
      Object.hasOwn(values, name) ? values[name as keyof CannedValues] : match,
    )
    .trim();
}

/** The filter text when the draft is "/" followed by a word (nothing else typed yet), else null. */
export function slashQuery(draft: string): string | null {
  const match = /^\/([^\s/]*)$/.exec(draft);
  return match ? match[1]!.toLowerCase() : null;
}

/** At most this many suggestions are shown. */
const SHOWN = 8;

/** Short codes starting with the query first, then those containing it, then a match in the text. */
export function matchCanned(all: readonly CannedResponse[], query: string): CannedResponse[] {
  const rank = (canned: CannedResponse) =>
    canned.shortCode.startsWith(query)
      ? 0
      : canned.shortCode.includes(query)
        ? 1
        : canned.content.toLowerCase().includes(query)
          ? 2
          : 3;
  return all
    .map((canned) => ({ canned, rank: rank(canned) }))
    .filter((entry) => entry.rank < 3)
    .sort((a, b) => a.rank - b.rank || a.canned.shortCode.localeCompare(b.canned.shortCode))
    .slice(0, SHOWN)
    .map((entry) => entry.canned);
}

export function CannedMenu({
  id,
  title,
  empty,
  options,
  active,
  onChoose,
  onHover,
}: {
  id: string;
  title: string;
  empty: string;
  options: readonly CannedResponse[];
  active: number;
  onChoose: (canned: CannedResponse) => void;
  onHover: (index: number) => void;
}) {
  return (
    <div className="canned" data-testid="canned-menu">
      <span className="canned__title" id={`${id}-title`}>
        {title}
      </span>
      {options.length === 0 ? (
        <p className="muted canned__empty">{empty}</p>
      ) : (
        <ul className="canned__list" role="listbox" id={id} aria-labelledby={`${id}-title`}>
          {options.map((canned, index) => (
            <li
              key={canned.id}
              id={`${id}-${index}`}
              role="option"
              aria-selected={index === active}
              className={`canned__option${index === active ? ' canned__option--active' : ''}`}
              data-testid="canned-option"
              data-short-code={canned.shortCode}
              // mousedown, not click: the textarea keeps the focus.
              onMouseDown={(event) => {
                event.preventDefault();
                onChoose(canned);
              }}
              onMouseEnter={() => onHover(index)}
            >
              <code className="canned__code">/{canned.shortCode}</code>
              <bdi className="canned__text">{canned.content}</bdi>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
