// The CSV cells of the exports (src/services/csv.ts): RFC 4180 quoting, and OWASP's formula neutralization
// for text that people wrote, never for the numbers and dates the platform writes.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../src/services/csv.js';

describe('CSV cells', () => {
  it('quotes a field holding a quote, comma, CR or LF, doubling its quotes', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
  });

  it('neutralizes text starting with = + - @ tab or CR with a leading quote', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+971500000001')).toBe("'+971500000001");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    // Only at the start.
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers and dates as they are, empty for none', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(2.5)).toBe('2.5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(new Date('2026-12-07T10:00:00.000Z'))).toBe('2026-12-07T10:00:00.000Z');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('ends a record with CRLF', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });
});
