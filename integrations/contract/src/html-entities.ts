/**
 * Text a remote side HTML-escaped on the way (VK's API escapes a message's `"`, `<`, `>` and `&`; a PHP site's feed
 * stores what htmlspecialchars wrote; a portal keeps a form's «&laquo;») read back as the citizen typed it. Only
 * entities: anything else of HTML stays as written, and an entity we do not know, or one naming a control
 * character, is left as it came. One pass: «&amp;lt;» is «&lt;», as it was escaped once.
 */
export function decodeHtmlEntities(text: string, options: { lineBreaks?: boolean } = {}): string {
  // Older VK API versions wrote a message's line breaks as <br>; read before the entities, so that a «<br>» the
  // citizen typed (escaped as «&lt;br&gt;») stays words.
  const broken = options.lineBreaks ? text.replace(/<br\s*\/?>/gi, '\n') : text;
  return broken.includes('&')
    ? broken.replace(ENTITY, (whole, name: string) => entityText(name) ?? whole)
    : broken;
}

const ENTITY = /&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  laquo: '«',
  raquo: '»',
  bdquo: '„',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  numero: '№',
  deg: '°',
  copy: '©',
  times: '×',
};

function entityText(name: string): string | undefined {
  if (name[0] !== '#') return Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  // No control characters, lone surrogates or code points past Unicode: those are not text a citizen typed.
  const control = code < 0x20 ? code !== 0x09 && code !== 0x0a && code !== 0x0d : code >= 0x7f && code < 0xa0;
  if (control || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return undefined;
  return String.fromCodePoint(code);
}
