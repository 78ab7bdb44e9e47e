import { safeFileName } from './file-names';

describe('a file name someone else gave, fit to store and show', () => {
  it('keeps the last path segment only, either way round, and never a bare «..»', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\Windows\\win.ini')).toBe('win.ini');
    expect(safeFileName('..')).toBe('');
    expect(safeFileName('docs/..')).toBe('');
    expect(safeFileName('Заявление Иванова.pdf')).toBe('Заявление Иванова.pdf');
  });

  it('drops the bidirectional controls that make a name lie about its type', () => {
    expect(safeFileName('приказ\u202Egpj.exe')).toBe('приказgpj.exe');
    expect(safeFileName('\u2066скан\u2069\u200F.pdf')).toBe('скан.pdf');
  });

  it('turns control characters (C0 and C1) into spaces and caps the length', () => {
    expect(safeFileName('акт\r\nSet-Cookie: x.pdf')).toBe('акт Set-Cookie: x.pdf');
    expect(safeFileName('акт\u0085.pdf')).toBe('акт .pdf');
    expect(safeFileName(`${'я'.repeat(300)}.pdf`)).toHaveLength(255);
  });
});
