import { type InboundAttachment } from './inbound-item';

/**
 * The most of a citizen's text an appeal carries as its own words. Past roughly 60 000 distinct words (a pasted
 * document, a log, a picture's base64 a mail client left in the body: 700 KB of text may do) Postgres cannot build
 * the appeal's search vector (a tsvector holds at most 1 MB) and the appeal could not be registered at all.
 */
export const APPEAL_TEXT_MAX = 50_000;

/** The file that carries a longer text whole. */
export const LONG_TEXT_FILE = 'obrashchenie.txt';

/**
 * A text as an appeal takes it: as it is, or, when longer than `max`, its beginning (never between the two halves
 * of an emoji) with a note for the clerk, and the whole of it as a file beside.
 */
export function clipLongText(
  text: string,
  max: number = APPEAL_TEXT_MAX,
): { text: string; file?: InboundAttachment } {
  if (text.length <= max) return { text };
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  const whole = Buffer.from(text, 'utf8');
  return {
    text: `${text.slice(0, cut)}…\n\nТекст обращения длиннее ${max} знаков: полностью — во вложении «${LONG_TEXT_FILE}».`,
    file: {
      fileName: LONG_TEXT_FILE,
      contentType: 'text/plain',
      contentBase64: whole.toString('base64'),
      size: whole.length,
    },
  };
}
