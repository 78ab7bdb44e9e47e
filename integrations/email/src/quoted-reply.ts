/*
 * A citizen's reply to our letter carries the whole of our letter below their words: Outlook's header block
 * («-----Исходное сообщение-----», «От: … Отправлено: … Кому: … Тема: …»), Gmail, Yandex, Mail.ru, Thunderbird
 * and Apple Mail's attribution line («… пишет:», «… написал(а):», «On … wrote:», «пн, 1 дек. 2025 г. в 10:00,
 * Имя <адрес>:») followed by `>` quotes. The appeal keeps the citizen's new words; the quoted part is returned
 * apart, so the caller keeps it (as a file) and nothing is lost.
 *
 * Written here rather than taken from npm: email-reply-parser (crisp-oss) and planer (talon's port) know no
 * Russian marker («пишет:», «Исходное сообщение», «От:/Отправлено:/Кому:»), their marker lists are closed, and
 * email-reply-parser also drops signatures (a citizen's name and address under their words) as "hidden".
 */

export interface QuotedReplySplit {
  /** The citizen's own words. */
  text: string;
  /** What they quoted, as it stood in the letter; undefined when nothing was found to set apart. */
  quoted?: string;
}

export interface QuoteContext {
  /**
   * The letter answers another (In-Reply-To or References, a «Re:»/«Ответ:» subject) and is not a forward: only
   * then is an unprefixed Outlook header block a quote. In a forward it is the letter the citizen sends us.
   */
  isReply: boolean;
}

// «-----Original Message-----», «-----Исходное сообщение-----»; Outlook Web's line of underscores.
const SEPARATOR =
  /^\s*(?:-{2,}\s*(?:original message|исходное сообщение|исходное письмо|ursprüngliche nachricht|message d'origine)\s*-{2,}|_{10,})\s*$/i;
// Forward markers: what follows them is the letter the citizen forwards to us, their business, never a quote.
const FORWARD_MARKER =
  /^\s*[-=]{2,}.*(?:forwarded message|пересылаемое сообщение|пересланное сообщение|переадресованное сообщение)|^\s*(?:begin forwarded message|начало переадресованного (?:письма|сообщения))\s*:?\s*$/i;
const HEADER_FROM = /^\s*\*?(?:from|от|von|de)\s*:\*?\s*\S/i;
const HEADER_DATE = /^\s*\*?(?:sent|date|отправлено|дата|gesendet)\s*:\*?(?:\s|$)/i;
const HEADER_OTHER = /^\s*\*?(?:to|cc|subject|кому|копия|тема|an|betreff)\s*:\*?(?:\s|$)/i;

const QUOTED_LINE = /^\s*>/;
// The end of an attribution line: a verb («пишет:», «wrote:») or an address in angle brackets and a colon.
const ATTRIBUTION_END =
  /(?:wrote|writes|пишет|писал|писала|писал\(а\)|написал|написала|написал\(а\)|a écrit|schrieb|escribió)\s*:\s*$|<[^<>\s@]+@[^<>\s]+>\s*:\s*$/i;
// …or a date and a time and a colon at the end (Mail.ru: «Понедельник, 1 декабря 2025, 10:00 +03:00 от адрес:»).
const ATTRIBUTION_DATED = /(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\b(?:19|20)\d{2}\b).*\b\d{1,2}:\d{2}\b.*:\s*$/;

const isBlank = (line: string) => line.trim() === '';
// Longer than this is a paragraph, not an attribution line (and would cost the patterns above dearly).
const MAX_ATTRIBUTION = 400;
const isAttribution = (text: string) =>
  text.length <= MAX_ATTRIBUTION && (ATTRIBUTION_END.test(text) || ATTRIBUTION_DATED.test(text));

/** Index of the line an Outlook-style header block (or its separator) starts at, or -1. */
function outlookBlockStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if (FORWARD_MARKER.test(lines[i])) return -1;
    if (SEPARATOR.test(lines[i])) {
      // A separator of underscores alone is a signature's rule: it counts only above a header block.
      let next = i + 1;
      while (next < lines.length && next <= i + 3 && isBlank(lines[next])) next += 1;
      const dashes = /-/.test(lines[i]);
      if (dashes || (next < lines.length && headerBlockAt(lines, next))) return i;
      continue;
    }
    if (headerBlockAt(lines, i)) return withRuleAbove(lines, i);
  }
  return -1;
}

// A rule of dashes, underscores or equals signs alone on its line: an HTML letter's <hr> above Outlook's block.
const RULE = /^\s*(?:[-_=]\s*){5,}$/;

/** The header block's start, moved up to a rule line above it (blank lines between). */
function withRuleAbove(lines: string[], start: number): number {
  let above = start - 1;
  while (above >= 0 && isBlank(lines[above])) above -= 1;
  return above >= 0 && RULE.test(lines[above]) ? above : start;
}

/**
 * «От: …» followed within a few lines by the date it was sent (Отправлено, Дата) and one more field (Кому, Тема):
 * a citizen's own «От: Иванова И. И., Кому: главе района» at the head of a formal letter has no date field.
 */
function headerBlockAt(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i])) return false;
  const next = lines.slice(i + 1, i + 8);
  return next.some((l) => HEADER_DATE.test(l)) && next.some((l) => HEADER_OTHER.test(l));
}

/** Runs of `>` lines (blank lines inside a run belong to it), each with the attribution above it. */
function quoteRegions(lines: string[], isReply: boolean): Array<[number, number]> {
  const regions: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!QUOTED_LINE.test(lines[i])) continue;
    let end = i;
    let quoted = 0;
    for (let j = i; j < lines.length; j++) {
      if (QUOTED_LINE.test(lines[j])) {
        quoted += 1;
        end = j;
      } else if (!isBlank(lines[j])) break;
    }
    const start = attributionStart(lines, i);
    // One `>` line without an attribution is a citizen's own mark («> 5 лет»), not a quote.
    // Without an attribution, only in a reply: in a new letter `>` lines may be a law or a notice it cites.
    if (start < i || (isReply && quoted >= 2)) regions.push([start, end]);
    i = end;
  }
  return regions;
}

/** Where the attribution of a quote starting at `first` begins (up to three lines, one blank line between). */
function attributionStart(lines: string[], first: number): number {
  let bottom = first - 1;
  if (bottom >= 0 && isBlank(lines[bottom])) bottom -= 1;
  if (bottom < 0 || isBlank(lines[bottom]) || QUOTED_LINE.test(lines[bottom])) return first;
  let top = bottom;
  while (top > 0 && !isBlank(lines[top - 1]) && !QUOTED_LINE.test(lines[top - 1])) top -= 1;
  const joined = (from: number) =>
    lines
      .slice(from, bottom + 1)
      .map((l) => l.trim())
      .join(' ');
  if (bottom - top < 3 && isAttribution(joined(top))) return top;
  if (isAttribution(lines[bottom].trim())) return bottom;
  return first;
}

const trimBlankLines = (lines: string[]) =>
  lines
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();

/**
 * The citizen's words and the quote they carry. Nothing is set apart when the citizen wrote between the quoted
 * lines (an answer point by point reads only with them), or when nothing of their own would remain.
 */
export function splitQuotedReply(text: string, ctx: QuoteContext): QuotedReplySplit {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let own = lines;
  const quotedParts: string[] = [];

  if (ctx.isReply) {
    const start = outlookBlockStart(lines);
    if (start !== -1) {
      own = lines.slice(0, start);
      quotedParts.push(trimBlankLines(lines.slice(start)));
    }
  }

  const regions = quoteRegions(own, ctx.isReply);
  if (regions.length) {
    const kept: string[][] = [];
    let at = 0;
    for (const [start, end] of regions) {
      kept.push(own.slice(at, start));
      at = end + 1;
    }
    kept.push(own.slice(at));
    const segments = kept.filter((segment) => segment.some((line) => !isBlank(line)));
    // Words above and below a quote, or between two, or a quoted line left among them: an interleaved answer;
    // leave the quotes where they stand.
    if (segments.length <= 1 && !segments.flat().some((line) => QUOTED_LINE.test(line))) {
      quotedParts.unshift(...regions.map(([start, end]) => trimBlankLines(own.slice(start, end + 1))));
      own = segments[0] ?? [];
    }
  }

  const ownText = trimBlankLines(own).trim();
  if (!quotedParts.length || !ownText) return { text: text.trim() };
  return { text: ownText, quoted: quotedParts.join('\n\n') };
}

// «Re:», «RE[2]:», «Ответ:», «Отв:», «AW:» — and «Fwd:», «Fw:», «Пересл:», «WG:» for forwards.
const REPLY_SUBJECT = /^\s*(?:re(?:\[\d+\])?|aw|sv|ответ|отв|на)\s*:/i;
const FORWARD_SUBJECT = /^\s*(?:fwd?|пересл|переслано|wg|tr)\s*:/i;

/** Whether a letter answers another and is not a forward, by its subject and its In-Reply-To/References. */
export function isReplyLetter(subject: string | undefined, namesAnotherLetter: boolean): boolean {
  if (subject && FORWARD_SUBJECT.test(subject)) return false;
  return namesAnotherLetter || (subject !== undefined && REPLY_SUBJECT.test(subject));
}
