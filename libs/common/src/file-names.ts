// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Bidirectional formatting characters (LRM/RLM, ALM, embeddings and overrides, isolates): «приказ\u202Egpj.exe»
 * shows as «приказexe.jpg», a name that lies about its type to the clerk who opens it.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A file name someone else gave (a citizen's, a channel's, a clerk's upload) fit to store and show: NFC, the last
 * path segment only (no directories either way round, no «..»), control and bidirectional formatting characters
 * out, at most 255 characters; '' when nothing is left.
 */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(BIDI_CONTROLS, '')
    .replace(CONTROL_CHARS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 255);
  return /^\.+$/.test(clean) ? '' : clean;
}
