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

  it('cuts hard only between characters as they are read: an emoji sequence, a flag, a letter with its accent', () => {
    // An answer of a clerk who pasted a long run without spaces (emoji, a decomposed «й» from a macOS document).
    for (const unit of ['👨‍👩‍👧', '🇷🇺', '👍🏽', 'и\u0306']) {
      const text = `${'ж'.repeat(7)}${unit.repeat(50)}`;
      const parts = splitText(text, 10);
      expect(parts.join('')).toBe(text);
      expect(parts.every((part) => part.length <= 10)).toBe(true);
      // Each part after the first starts with a whole unit, not the tail of a broken one.
      expect(parts.slice(1).every((part) => part.startsWith(unit))).toBe(true);
    }
    // A single cluster longer than the limit (never in practice) is still cut, outside a surrogate pair.
    const zalgo = `a${'\u0301'.repeat(30)}`;
    expect(splitText(zalgo, 10).join('')).toBe(zalgo);
  });
});
