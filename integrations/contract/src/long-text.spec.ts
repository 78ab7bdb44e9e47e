import { APPEAL_TEXT_MAX, clipLongText, LONG_TEXT_FILE } from './long-text';

describe('clipLongText', () => {
  it('keeps a text up to the limit as it is, with no file', () => {
    const text = 'я'.repeat(APPEAL_TEXT_MAX);
    expect(clipLongText(text)).toEqual({ text });
  });

  it('keeps the beginning of a longer text with a note, and the whole of it as a file', () => {
    const text = `${'Прошу '.repeat(10_000)}конец`;
    const { text: kept, file } = clipLongText(text);
    expect(kept).toBe(
      `${text.slice(0, APPEAL_TEXT_MAX)}…\n\nТекст обращения длиннее ${APPEAL_TEXT_MAX} знаков: полностью — во вложении «${LONG_TEXT_FILE}».`,
    );
    expect(file).toMatchObject({
      fileName: LONG_TEXT_FILE,
      contentType: 'text/plain',
      size: Buffer.byteLength(text),
    });
    expect(Buffer.from(file!.contentBase64!, 'base64').toString('utf8')).toBe(text);
  });

  it('never cuts between the two halves of an emoji', () => {
    const text = `${'a'.repeat(9)}😀tail`;
    expect(clipLongText(text, 10).text.startsWith(`${'a'.repeat(9)}…`)).toBe(true);
  });
});
