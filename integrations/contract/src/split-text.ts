/**
 * Splits an answer into parts of at most `max` UTF-16 units for channels that refuse longer texts, in order.
 * Prefers, within the last quarter of the window, a paragraph, then a line, then a sentence, then a word boundary;
 * cuts hard only when there is none, and then between characters as a reader sees them (never inside a surrogate
 * pair, an emoji sequence joined by ZWJ, a flag, or a letter and its combining accent). Blank parts are dropped, so an empty or
 * blank text gives no parts (a caller with attachments to send sends those alone).
 */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    let cut = -1;
    // The sentence's end stays with it ('. ' cuts after the dot); the space or break goes with trimStart.
    for (const [separator, keep] of [
      ['\n\n', 2],
      ['\n', 1],
      ['. ', 1],
      ['! ', 1],
      ['? ', 1],
      [' ', 1],
    ] as const) {
      const at = rest.lastIndexOf(separator, max - keep);
      if (at >= max * 0.75) {
        cut = at + keep;
        break;
      }
    }
    if (cut < 0) cut = hardCut(rest, max);
    const part = rest.slice(0, cut).trimEnd();
    if (part) chunks.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

// Longer than any grapheme cluster a citizen or a clerk writes (a ZWJ family emoji is 11 units, a tag flag 14).
const GRAPHEME_LOOKAHEAD = 64;
// How far back from the limit the characters are read: enough to settle the clusters around it, and a cut of a
// megabyte without a space reads 320 units a part, not the whole part (0.7 s for a megabyte, measured).
const GRAPHEME_LOOKBACK = 256;
const graphemes = new Intl.Segmenter('ru', { granularity: 'grapheme' });

/**
 * The last grapheme boundary at or before `max`: «👨‍👩‍👧» or «й» written as и + U+0306 cut there would reach the
 * reader as two broken halves. A single cluster longer than the window (never in practice) is cut at `max`,
 * outside a surrogate pair.
 */
function hardCut(text: string, max: number): number {
  const from = Math.max(0, max - GRAPHEME_LOOKBACK);
  let cut = 0;
  for (const { index } of graphemes.segment(text.slice(from, max + GRAPHEME_LOOKAHEAD))) {
    if (from + index > max) break;
    // The window's own start is a boundary only when it is the text's.
    if (index > 0) cut = from + index;
  }
  if (cut > 0) return cut;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
