// CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field quoted when it holds a quote, comma,
// CR or LF, its quotes doubled), with OWASP's defence against formula injection: a text cell starting with
// = + - @ (or tab / CR, which spreadsheets skip before reading a formula) gets a leading single quote, so a
// spreadsheet shows it as text instead of evaluating it.

/** A cell: text from people (escaped against formulas), or a number, date or empty value we produced. */
export type CsvCell = string | number | Date | null | undefined;

/** The byte order mark: spreadsheets (Excel) then read the file as UTF-8, so Arabic and French show right. */
export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell's text: dates in ISO 8601 (UTC), numbers as they are, text neutralized and quoted as needed. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
