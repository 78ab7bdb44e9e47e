/**
 * Splits an answer into parts of at most `max` UTF-16 units for channels that refuse longer texts, in order.
 * Prefers, within the last quarter of the window, a paragraph, then a line, then a sentence, then a word boundary;
 * cuts hard only when there is none, and never inside a surrogate pair. Blank parts are dropped, so an empty or
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
    if (cut < 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    const part = rest.slice(0, cut).trimEnd();
    if (part) chunks.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}
