import { splitText } from './split-text';

describe('splitText', () => {
  it('keeps short text whole and splits long text at a boundary within the limit', () => {
    expect(splitText('Ответ', 4096)).toEqual(['Ответ']);
    expect(splitText('   ', 4096)).toEqual([]);
    const paragraph = 'Слово '.repeat(600).trim();
    expect(splitText(`${paragraph}\n\n${paragraph}`, 4096)).toEqual([paragraph, paragraph]);
    const words = splitText('а '.repeat(5000), 4096);
    expect(words.every((c) => c.length <= 4096)).toBe(true);
    expect(words.join(' ').replace(/\s+/g, ' ')).toBe('а '.repeat(5000).trim());
  });

  it('prefers the end of a sentence to a word boundary and keeps its full stop', () => {
    const sentence = `${'Текст ответа '.repeat(5).trim()}.`;
    const parts = splitText(`${sentence} ${sentence} ${sentence}`, 150);
    expect(parts).toEqual([`${sentence} ${sentence}`, sentence]);
  });

  it('never cuts a surrogate pair', () => {
    const emoji = '😀'.repeat(3000);
    const chunks = splitText(emoji, 4096);
    expect(chunks.join('')).toBe(emoji);
    expect(chunks.every((c) => c.length <= 4096 && !/^[\uDC00-\uDFFF]/.test(c))).toBe(true);
    const parts = splitText(`${'a'.repeat(9)}😀${'b'.repeat(20)}`, 10);
    expect(parts[0]).toBe('a'.repeat(9));
    expect(parts.join('')).toContain('😀');
  });
});
