/**
 * The subject an operator gives an item that has none: its first 80 characters up to the last colon, comma or dash
 * in them, else cut at a word with «…». The bare first 80 read «…детям негде играть, кроме» on the card.
 */
export function subjectOf(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat.replace(/[.!]$/, '');
  const head = flat.slice(0, max + 1);
  // A comma before a number is an address's («ул. Мичурина, 92»), not a clause's end.
  const clause = Math.max(-1, ...[...head.matchAll(/[:;!?]|,(?! \d)| —/g)].map((m) => m.index));
  if (clause >= 30) return head.slice(0, clause);
  const word = head.lastIndexOf(' ');
  return `${head.slice(0, word > 30 ? word : max).replace(/[\s,.:;—-]+$/, '')}…`;
}
