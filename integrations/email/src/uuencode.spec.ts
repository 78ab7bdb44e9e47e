import { extractUuencoded, MAX_UUENCODED_FILES } from './uuencode';

/** A block holding the one byte «x» (uuencoded: length «!», then «>```»). */
const block = (name: string) => `begin 644 ${name}\n!>\`\`\`\n\`\nend`;

describe('extractUuencoded', () => {
  it('takes out up to 100 files; the blocks after stay in the text as they came', () => {
    const names = Array.from({ length: MAX_UUENCODED_FILES + 1 }, (_, i) => `${i}.txt`);
    const { text, files } = extractUuencoded(['Прошу принять файлы.', ...names.map(block)].join('\n'));
    expect(files).toHaveLength(100);
    expect(files[0]).toEqual({ fileName: '0.txt', content: Buffer.from('x') });
    expect(text).toContain('[Вложение «99.txt» (было вставлено в текст письма)]');
    expect(text.endsWith(block('100.txt'))).toBe(true);
  });

  it('makes no more than 100 files of a letter packed with a hundred thousand blocks', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => block(`${i}`)).join('\n');
    expect(extractUuencoded(text).files).toHaveLength(MAX_UUENCODED_FILES);
  });
});
