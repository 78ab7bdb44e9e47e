/**
 * Checks the parts a channel received for one long answer: more than one, none over the channel's limit, and
 * together (in the order received) the whole text, once — whitespace at the cuts aside.
 */
export function expectAnswerInParts(parts: string[], text: string, max: number): void {
  const words = (s: string) => s.replace(/\s+/g, ' ').trim();
  expect(parts.length).toBeGreaterThan(1);
  expect(parts.filter((part) => part.length > max)).toEqual([]);
  expect(words(parts.join(' '))).toBe(words(text));
}
