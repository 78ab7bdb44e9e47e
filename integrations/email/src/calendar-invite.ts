/*
 * A calendar invitation in a letter (RFC 5545 text/calendar, as Outlook, Yandex and mail.ru send a meeting request):
 * its event in words for the clerk, who otherwise reads the subject alone and an .ics file. Four properties of an
 * event, read by hand: a full iCalendar library would bring recurrence and time-zone machinery for nothing here.
 */

/** What the letter's calendar asks, in the clerk's words (METHOD). */
const METHOD_RU: Record<string, string> = {
  REQUEST: 'Приглашение на встречу',
  PUBLISH: 'Событие календаря',
  CANCEL: 'Отмена встречи',
  REPLY: 'Ответ на приглашение',
  COUNTER: 'Предложение другого времени встречи',
};

const MAX_DESCRIPTION_CHARS = 4000;

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Content lines, unfolded (a line starting with a space or tab continues the one before). */
function propertiesOf(text: string): Property[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
  const out: Property[] = [];
  for (const line of lines) {
    // NAME;PARAM=value;PARAM="quoted:value":VALUE — the first colon outside quotes ends the name and parameters.
    const m = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:]*))*):(.*)$/.exec(line);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[2].matchAll(/;([A-Za-z0-9-]+)=("([^"]*)"|[^";:]*)/g))
      params[p[1].toUpperCase()] = p[3] ?? p[2];
    out.push({ name: m[1].toUpperCase(), params, value: m[3] });
  }
  return out;
}

/** A TEXT value as written: \n, \, \; and \\ unescaped. */
function textValue(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c)).trim();
}

/** «10.04.2025 13:00 (Europe/Moscow)», «10.04.2025 10:00 UTC», «10.04.2025»; the value as it is when unreadable. */
function whenOf(p: Property): string {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})\d{2}(Z?))?$/.exec(p.value.trim());
  if (!m) return p.value.trim();
  const day = `${m[3]}.${m[2]}.${m[1]}`;
  if (m[4] === undefined) return day;
  const zone = m[6] ? ' UTC' : p.params.TZID ? ` (${p.params.TZID})` : '';
  return `${day} ${m[4]}:${m[5]}${zone}`;
}

/**
 * The events of a calendar file as lines a clerk reads, or undefined when it holds none (not a calendar, an
 * empty one).
 */
export function calendarInviteText(content: string): string | undefined {
  const props = propertiesOf(content);
  const method = props
    .find((p) => p.name === 'METHOD')
    ?.value.trim()
    .toUpperCase();
  const events: string[] = [];
  let event: Property[] | undefined;
  for (const p of props) {
    if (p.name === 'BEGIN' && p.value.trim().toUpperCase() === 'VEVENT') event = [];
    else if (p.name === 'END' && p.value.trim().toUpperCase() === 'VEVENT' && event) {
      const get = (name: string) => event?.find((e) => e.name === name);
      const summary = get('SUMMARY');
      const start = get('DTSTART');
      const location = get('LOCATION');
      const description = get('DESCRIPTION');
      const lines = [
        summary && textValue(summary.value) ? `Тема: ${textValue(summary.value)}` : '',
        start ? `Когда: ${whenOf(start)}` : '',
        location && textValue(location.value) ? `Где: ${textValue(location.value)}` : '',
        description ? textValue(description.value).slice(0, MAX_DESCRIPTION_CHARS) : '',
      ].filter(Boolean);
      if (lines.length > 0) events.push(lines.join('\n'));
      event = undefined;
    } else event?.push(p);
  }
  if (events.length === 0) return undefined;
  const heading = (method && METHOD_RU[method]) || 'Событие календаря';
  return `${heading} (файл календаря во вложении):\n${events.join('\n\n')}`;
}
