import { isEmojiOnly } from './emoji-only';

describe('isEmojiOnly', () => {
  it.each([
    '👍',
    '🙏🙏',
    '❤️',
    '👌',
    ' 👍 👍 ',
    '👍🏽',
    '👨‍👩‍👧',
    '🏳️‍🌈',
    '🇷🇺',
    '🏴󠁧󠁢󠁥󠁮󠁧󠁿',
    '☺︎',
    '👍👍!!!',
    '🙏 …',
    '\n🔥\n',
  ])('%j is a reaction', (text) => {
    expect(isEmojiOnly(text)).toBe(true);
  });

  it.each([
    '',
    '   ',
    '!!!',
    ')))',
    'Яма 🕳 во дворе',
    'Согласен 👍',
    '5 👍',
    '5️⃣',
    '1 1',
    '#️⃣',
    'Спасибо 🙏',
    'ok👌',
  ])('%j is a message', (text) => {
    expect(isEmojiOnly(text)).toBe(false);
  });

  it('says nothing for no text', () => {
    expect(isEmojiOnly(undefined)).toBe(false);
  });
});
