import { sizeText } from './sizes';

describe('sizeText', () => {
  it.each([
    [1, '1 КБ'],
    [1024, '1 КБ'],
    [900 * 1024, '900 КБ'],
    [10 * 1048576, '10 МБ'],
    [1.5 * 1048576, '1,5 МБ'],
  ])('%d bytes read as «%s»', (bytes, text) => {
    expect(sizeText(bytes)).toBe(text);
  });
});
