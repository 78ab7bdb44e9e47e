import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode } from 'iconv-lite';
import { pdfAndPhoto, TNEF_FIXTURE, winmailDat } from '../../../test/fakes/email/winmail-dat';
import { outboundMessageId } from './message-id';
import {
  APP_SIGNATURE_ONLY_REASON,
  automaticLetterReason,
  BULK_PRECEDENCE_REASON,
  EMPTY_LETTER_REASON,
  MASS_MAILING_REASON,
  NO_SENDER_REASON,
  parseEmail,
  QUOTED_FILE_NAME,
  type ParseContext,
  type ParsedEmail,
} from './parse-message';

// Our own letters in the shapes of real KOI8-R / windows-1251 mail (test/fixtures/email); real captured letters
// are checked by the conformance suite (test/conformance).
const SAMPLES = resolve(__dirname, '../../../test/fixtures/email');

const ctx: ParseContext = {
  policy547: 'message-with-notice',
  maxAttachmentBytes: 10 * 1024 * 1024,
  fromAddress: 'obr@gov.example.ru',
  mailbox: 'INBOX',
  uidValidity: 1700000000,
  uid: 7,
  receivedAt: new Date('2025-04-01T09:00:00Z'),
};

/** A message with CRLF line ends, as it travels; headers first, then the body. */
function eml(headers: string[], body: string | Buffer = ''): Buffer {
  const head = Buffer.from(headers.join('\r\n') + '\r\n\r\n', 'latin1');
  return Buffer.concat([
    head,
    typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'latin1') : body,
  ]);
}

const b64 = (text: string, charset: BufferEncoding | 'koi8-r' | 'windows-1251' = 'utf8') =>
  (charset === 'utf8' ? Buffer.from(text, 'utf8') : encode(text, charset)).toString('base64');

/** RFC 2047 Q encoding of a string in a charset. */
function qWord(text: string, charset: 'koi8-r' | 'windows-1251' | 'utf-8'): string {
  const bytes = charset === 'utf-8' ? Buffer.from(text, 'utf8') : encode(text, charset);
  const encoded = [...bytes]
    .map((b) =>
      b === 0x20
        ? '_'
        : /[A-Za-z0-9]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return `=?${charset}?Q?${encoded}?=`;
}

/** Quoted-printable body (RFC 2045 6.7) with soft line breaks at 76 characters. */
function quotedPrintable(bytes: Buffer): string {
  let line = '';
  const lines: string[] = [];
  for (const b of bytes) {
    const token =
      b === 0x0a
        ? '\n'
        : (b >= 33 && b <= 126 && b !== 61) || b === 0x20
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (token === '\n') {
      lines.push(line);
      line = '';
      continue;
    }
    if (line.length + token.length > 75) {
      lines.push(line + '=');
      line = '';
    }
    line += token;
  }
  lines.push(line);
  return lines.join('\r\n');
}

async function itemOf(raw: Buffer, context: Partial<ParseContext> = {}) {
  const result = await parseEmail(raw, { ...ctx, ...context });
  if (result.kind !== 'item') throw new Error(`expected an item, got ${JSON.stringify(result)}`);
  return result.item;
}

const plain = (extra: string[] = [], body = 'Прошу убрать снег во дворе.') =>
  eml(
    [
      'From: =?UTF-8?B?' + b64('Иван Петров') + '?= <Ivan.Petrov@Mail.example>',
      'To: obr@gov.example.ru',
      'Subject: =?UTF-8?B?' + b64('Снег во дворе') + '?=',
      'Date: Tue, 01 Apr 2025 12:00:00 +0300',
      'Message-ID: <citizen-1@mail.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      ...extra,
    ],
    b64(body),
  );

describe('parseEmail: KOI8-R and windows-1251 letters', () => {
  it.each([
    ['koi8r.eml', 'koi8r-7f3a@mail.example', 'Отопление', 'Холодные батареи', 'Maria Lebedeva', 'm.lebedeva'],
    ['windows1251.eml', 'cp1251-91bd@mail.example', 'Дорога', 'Ямы на дороге', 'Oleg Sidorov', 'o.sidorov'],
  ])('decodes the Cyrillic subject and body of %s', async (file, messageId, subject, text, name, user) => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, file)));
    expect(item.subject).toBe(subject);
    expect(item.text).toBe(text);
    expect(item.externalId).toBe(messageId);
    expect(item.author).toEqual({
      externalId: `${user}@mail.example`,
      displayName: name,
      email: `${user}@mail.example`,
    });
    expect(item.thread).toEqual({ key: `msgid:${messageId}` });
    expect(item.receivedAt).toBe('2025-04-01T09:00:00.000Z');
  });

  const RUSSIAN = 'Здравствуйте! Прошу разобраться с начислением за отопление: перерасчёта в квитанции нет.';
  const CAPITALS = 'ПРОШУ ПОМОЧЬ С РЕМОНТОМ КРЫШИ, ТЕЧЁТ ВТОРОЙ МЕСЯЦ';
  const labelled = (label: string | undefined, bytes: Buffer, type = 'text/plain') =>
    eml(
      [
        'From: a@b.example',
        'Message-ID: <label@b.example>',
        'MIME-Version: 1.0',
        `Content-Type: ${type}${label ? `; charset=${label}` : ''}`,
        'Content-Transfer-Encoding: base64',
      ],
      bytes.toString('base64'),
    );

  it.each([
    ['koi8-r', 'windows-1251'],
    ['windows-1251', 'koi8-r'],
    ['cp866', 'windows-1251'],
    ['cp866', 'koi8-r'],
  ] as const)(
    'reads %s text labelled %s by the letters it makes, not by the label',
    async (actual, label) => {
      expect((await itemOf(labelled(label, encode(RUSSIAN, actual)))).text).toBe(RUSSIAN);
      expect((await itemOf(labelled(label, encode(CAPITALS, actual)))).text).toBe(CAPITALS);
      const html = encode(`<p>${RUSSIAN}</p>`, actual);
      expect((await itemOf(labelled(label, html, 'text/html'))).text).toBe(RUSSIAN);
      const word = (text: string) => `=?${label}?B?${encode(text, actual).toString('base64')}?=`;
      const headed = eml(
        [
          `From: ${word('Мария Лебедева')} <m@b.example>`,
          `Subject: ${word('Отопление в доме')}`,
          'Message-ID: <subject-label@b.example>',
        ],
        'x',
      );
      const item = await itemOf(headed);
      expect(item.subject).toBe('Отопление в доме');
      expect(item.author.displayName).toBe('Мария Лебедева');
    },
  );

  it('keeps a windows-1251 letter in capitals as it is, labelled or not (KOI8-R would read it as lower case)', async () => {
    for (const label of ['windows-1251', undefined]) {
      expect((await itemOf(labelled(label, encode(CAPITALS, 'windows-1251')))).text).toBe(CAPITALS);
    }
    expect((await itemOf(labelled(undefined, encode(CAPITALS, 'koi8-r')))).text).toBe(CAPITALS);
  });

  it('uses the clock when the Date header is garbage and there is no INTERNALDATE', async () => {
    const raw = eml(['From: a@b.example', 'Message-ID: <d@b>', 'Date: the day before yesterday'], 'x');
    const item = await itemOf(raw, { receivedAt: undefined, now: () => new Date('2025-05-05T05:05:05Z') });
    expect(item.receivedAt).toBe('2025-05-05T05:05:05.000Z');
    // A year a Date holds but no ISO reader takes back (+275760-…, written to the database): the clock as well.
    for (const date of ['Tue, 01 Apr 275760 12:00:00 +0300', 'Sat, 01 Jan 10000 00:00:00 GMT']) {
      const far = eml(['From: a@b.example', 'Message-ID: <d@b>', `Date: ${date}`], 'x');
      const read = await itemOf(far, { receivedAt: undefined, now: () => new Date('2025-05-05T05:05:05Z') });
      expect(read.receivedAt).toBe('2025-05-05T05:05:05.000Z');
    }
  });

  it('falls back to the Date header when there is no INTERNALDATE', async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'koi8r.eml')), {
      receivedAt: undefined,
    });
    expect(item.receivedAt).toBe('2025-03-10T07:05:09.000Z');
  });
});

describe('parseEmail: a citizen letter', () => {
  it('maps author, subject, text, regime and the 547-ФЗ notice flag', async () => {
    const item = await itemOf(plain());
    expect(item).toMatchObject({
      channel: 'email',
      externalId: 'citizen-1@mail.example',
      regime: 'message',
      subject: 'Снег во дворе',
      text: 'Прошу убрать снег во дворе.',
      author: {
        externalId: 'ivan.petrov@mail.example',
        displayName: 'Иван Петров',
        email: 'Ivan.Petrov@Mail.example',
      },
      features: { notice547: 'yes' },
      replyAddress: {
        to: 'Ivan.Petrov@Mail.example',
        messageId: 'citizen-1@mail.example',
        references: ['citizen-1@mail.example'],
        subject: 'Снег во дворе',
      },
    });
  });

  it("keeps the 59-ФЗ regime and no notice under the 'appeal' policy", async () => {
    const item = await itemOf(plain(), { policy547: 'appeal' });
    expect(item.regime).toBe('appeal');
    expect(item.features).toBeUndefined();
  });

  it('decodes =?UTF-8?B?…?= and =?koi8-r?Q?…?= subjects, also two charsets in one header', async () => {
    const subjectOf = async (subject: string) =>
      (await itemOf(eml(['From: a@b.example', 'Message-ID: <q@b.example>', `Subject: ${subject}`], 'x')))
        .subject;
    expect(await subjectOf('=?UTF-8?B?' + b64('Снег во дворе') + '?=')).toBe('Снег во дворе');
    expect(await subjectOf(qWord('Уборка снега на Ленина', 'koi8-r'))).toBe('Уборка снега на Ленина');
    expect(await subjectOf(qWord('Уборка', 'koi8-r') + '\r\n ' + '=?UTF-8?B?' + b64(' снега') + '?=')).toBe(
      'Уборка снега',
    );
  });

  it('decodes a quoted-printable windows-1251 body', async () => {
    const body =
      'Здравствуйте!\nНа ул. Советской, 12 не работает фонарь.\n' + 'Очень длинная строка '.repeat(8);
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <qp@b.example>',
        'Subject: ' + qWord('Фонарь', 'windows-1251'),
        'Content-Type: text/plain; charset=windows-1251',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      quotedPrintable(encode(body, 'windows-1251')),
    );
    const item = await itemOf(raw);
    expect(item.subject).toBe('Фонарь');
    expect(item.text).toBe(body.trim());
  });

  it('decodes a KOI8-R base64 body', async () => {
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <k@b.example>',
        'Content-Type: text/plain; charset="KOI8-R"',
        'Content-Transfer-Encoding: base64',
      ],
      b64('Яма на дороге у школы 3', 'koi8-r'),
    );
    expect((await itemOf(raw)).text).toBe('Яма на дороге у школы 3');
  });

  it.each([
    ['no charset at all', 'Content-Type: text/plain', 'windows-1251'],
    ['a charset of utf-8', 'Content-Type: text/plain; charset=utf-8', 'windows-1251'],
    ['a charset nobody knows', 'Content-Type: text/plain; charset="x-user-defined-cyr"', 'windows-1251'],
    ['no charset, in KOI8-R', 'Content-Type: text/plain', 'koi8-r'],
  ] as const)('reads 8-bit Cyrillic text whose part says %s', async (_, type, charset) => {
    const body = 'Здравствуйте! Во дворе дома 5 по улице Ленина третью неделю не вывозят мусор.';
    const raw = eml(
      ['From: a@b.example', 'Message-ID: <undeclared@b.example>', type, 'Content-Transfer-Encoding: 8bit'],
      encode(body, charset),
    );
    expect((await itemOf(raw)).text).toBe(body);
  });

  it('reads an undeclared windows-1251 HTML part inside multipart/alternative inside mixed, keeping the attachment', async () => {
    const html = '<p>Прошу отремонтировать крышу подъезда, течёт уже месяц.</p>';
    const raw = Buffer.concat([
      eml(
        [
          'From: a@b.example',
          'Message-ID: <nested@b.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="mix"',
        ],
        '--mix\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n' +
          'Content-Type: text/plain; charset=us-ascii\r\n\r\n\r\n--alt\r\n' +
          'Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
      ),
      Buffer.from(quotedPrintable(encode(html, 'windows-1251')), 'latin1'),
      Buffer.from(
        '\r\n--alt--\r\n--mix\r\nContent-Type: image/jpeg; name="roof.jpg"\r\n' +
          'Content-Disposition: attachment; filename="roof.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          '/9j/4AAQ\r\n--mix--\r\n',
        'latin1',
      ),
    ]);
    const item = await itemOf(raw);
    expect(item.text).toBe('Прошу отремонтировать крышу подъезда, течёт уже месяц.');
    expect(item.attachments?.map((a) => a.fileName)).toEqual(['roof.jpg', 'letter.html']);
  });

  it('reads UTF-8 text labelled windows-1251 or KOI8-R (a form relay) as UTF-8, and keeps real windows-1251', async () => {
    const body = 'Прошу принять меры: на детской площадке сломаны качели, дети могут пострадать.';
    for (const label of ['windows-1251', 'koi8-r']) {
      const raw = eml(
        [
          'From: a@b.example',
          'Message-ID: <mislabel@b.example>',
          `Content-Type: text/plain; charset=${label}`,
        ],
        Buffer.from(body, 'utf8'),
      );
      expect((await itemOf(raw)).text).toBe(body);
    }
    const real = eml(
      ['From: a@b.example', 'Message-ID: <cp@b.example>', 'Content-Type: text/plain; charset=windows-1251'],
      encode('Реклама Сбербанка — РЖД', 'windows-1251'),
    );
    expect((await itemOf(real)).text).toBe('Реклама Сбербанка — РЖД');
  });

  it.each(['windows-1251', 'koi8-r'] as const)(
    'reads a subject and a sender name written in raw 8-bit %s, without encoded-words',
    async (charset) => {
      const raw = Buffer.concat([
        Buffer.from('From: "', 'latin1'),
        encode('Иван Петров', charset),
        Buffer.from('" <ivan@mail.example>\r\nSubject: ', 'latin1'),
        encode('Жалоба на плохую дорогу', charset),
        Buffer.from(
          `\r\nMessage-ID: <raw8@mail.example>\r\nContent-Type: text/plain; charset=${charset}\r\n` +
            'Content-Transfer-Encoding: 8bit\r\n\r\n',
          'latin1',
        ),
        encode('Текст письма о дороге', charset),
      ]);
      const item = await itemOf(raw);
      expect(item.subject).toBe('Жалоба на плохую дорогу');
      expect(item.author.displayName).toBe('Иван Петров');
      expect(item.text).toBe('Текст письма о дороге');
    },
  );

  it('reads an attachment name written in raw 8-bit windows-1251 in the part header', async () => {
    const raw = Buffer.concat([
      eml(
        [
          'From: a@b.example',
          'Message-ID: <rawname@b.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="r"',
        ],
        '--r\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          b64('См. вложение') +
          '\r\n--r\r\nContent-Type: application/msword\r\nContent-Disposition: attachment; filename="',
      ),
      encode('Жалоба на управляющую компанию.doc', 'windows-1251'),
      Buffer.from('"\r\nContent-Transfer-Encoding: base64\r\n\r\n0M8R4KGxGuE=\r\n--r--\r\n', 'latin1'),
    ]);
    const item = await itemOf(raw);
    expect(item.attachments?.[0].fileName).toBe('Жалоба на управляющую компанию.doc');
    expect(item.text).toBe('См. вложение');
  });

  it.each([
    ['a charset nobody knows', 'x-unknown'],
    ['windows-1251 bytes under a UTF-8 label (a PHP form)', 'UTF-8'],
  ])('reads encoded-word subjects and names in %s', async (_label, charset) => {
    const word = (text: string) => `=?${charset}?B?${b64(text, 'windows-1251')}?=`;
    const raw = eml(
      [
        `From: ${word('Иван Петров')} <ivan@mail.example>`,
        `Subject: ${word('Жалоба на')}\r\n ${word(' плохую дорогу')}`,
        `Message-ID: <ew-${charset}@mail.example>`,
        'Content-Type: text/plain; charset=utf-8',
      ],
      'x',
    );
    const item = await itemOf(raw);
    expect(item.subject).toBe('Жалоба на плохую дорогу');
    expect(item.author.displayName).toBe('Иван Петров');
  });

  it("reads a form mailer's 8-bit windows-1251 labelled ANSI_X3.4-1968 (a C locale's ASCII), body and subject", async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'form-mailer-ansi-x3.4-1968.eml')));
    expect(item.subject).toBe('Обращение с сайта района');
    expect(item.text).toBe(
      'Обращение с формы сайта МО «Северный район»\nФИО: Петрова Анна\n' +
        'Текст: Прошу отремонтировать освещение во дворе дома 12 по ул. Мира.',
    );
  });

  // The labels Russian mail clients write: Apple Mail's x-mac-cyrillic (which mailparser does not know), the
  // spellings of windows-1251, KOI8-U, DOS's cp866, ISO-8859-5, an unknown label, and Russian text a client set
  // up in the West labels Latin-1. Body and subject each in the charset the label names (maccyrillic for the Mac
  // labels, whose capitals differ from windows-1251's: «Џрошу» for «Прошу» when guessed).
  it.each([
    ['x-mac-cyrillic', 'maccyrillic'],
    ['X-MAC-CYRILLIC', 'maccyrillic'],
    ['x-mac-ukrainian', 'macukraine'],
    ['maccyrillic', 'maccyrillic'],
    ['koi8-u', 'koi8-u'],
    ['cp1251', 'windows-1251'],
    ['win-1251', 'windows-1251'],
    ['x-cp1251', 'windows-1251'],
    ['ibm866', 'cp866'],
    ['cp866', 'cp866'],
    ['iso-8859-5', 'iso-8859-5'],
    ['x-unknown', 'windows-1251'],
    ['windows-1521', 'koi8-r'],
    ['iso-8859-1', 'windows-1251'],
    ['windows-1252', 'windows-1251'],
  ])('reads a letter labelled %s written in %s, body and subject', async (label, charset) => {
    const body = 'Прошу Убрать снег во дворе дома номер пять по улице Ленина. Жители Подъезда.';
    const subject = 'Снег во дворе, Ёлки';
    const raw = eml(
      [
        'From: a@b.example',
        `Subject: =?${label}?B?${encode(subject, charset).toString('base64')}?=`,
        'Message-ID: <label@b>',
        'MIME-Version: 1.0',
        `Content-Type: text/plain; charset=${label}`,
        'Content-Transfer-Encoding: base64',
      ],
      encode(body, charset).toString('base64'),
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(body);
    expect(item.subject).toBe(subject);
  });

  it('reads an Apple Mail file name in x-mac-cyrillic (RFC 2231) and its quoted-printable flowed text', async () => {
    const percent = (text: string) =>
      [...encode(text, 'maccyrillic')]
        .map((b) => (b >= 0x80 ? `%${b.toString(16).toUpperCase()}` : String.fromCharCode(b)))
        .join('');
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <mac-file@b>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary=BB',
      ],
      [
        '--BB',
        'Content-Type: text/plain; charset="x-mac-cyrillic"; format=flowed; delsp=yes',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        quotedPrintable(encode('ЯМА на дороге у дома 5, фото в файле.', 'maccyrillic')),
        '--BB',
        'Content-Type: application/pdf',
        `Content-Disposition: attachment; filename*=x-mac-cyrillic''${percent('Жалоба.pdf')}`,
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--BB--',
        '',
      ].join('\r\n'),
    );
    const item = await itemOf(raw);
    expect(item.text).toContain('ЯМА на дороге у дома 5, фото в файле.');
    expect(item.attachments?.map((a) => a.fileName)).toEqual(['Жалоба.pdf']);
  });

  it('leaves a real Latin-1 letter with accented runs as it is', async () => {
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <latin@b>',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      'Caf=E9 =C0=C9=CE=D5 r=E9sum=E9',
    );
    expect((await itemOf(raw)).text).toBe('Café ÀÉÎÕ résumé');
  });

  it('takes a file Outlook Express uuencoded into the text out as an attachment, naming it in the text', async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'outlook-express-uuencoded.eml')));
    expect(item.text).toBe(
      'Здравствуйте!\nВо дворе дома 3 по ул. Садовой разрушена детская площадка, фото прилагаю.\n\n' +
        '[Вложение «ploshchadka.jpg» (было вставлено в текст письма)]\n\nЖитель дома 3',
    );
    expect(item.attachments).toHaveLength(1);
    const [file] = item.attachments!;
    const content = Buffer.from(file.contentBase64!, 'base64');
    expect([file.fileName, file.size, content.length]).toEqual(['ploshchadka.jpg', 278, 278]);
    // The bytes Python's binascii.b2a_uu encoded: a JPEG's head, 0..255, its end.
    expect(createHash('sha256').update(content).digest('hex')).toBe(
      '8a2f89ea04bf088f8d860141126373d251b6031d424d14b14aa34960281eb184',
    );
  });

  it('leaves prose that only starts like a uuencoded block in the text', async () => {
    const body = 'begin 644 the list\nplease call me back about the repairs\nend';
    expect((await itemOf(plain([], body))).text).toBe(body);
  });

  it('leaves a UTF-8 letter that quotes a real replacement character as it is', async () => {
    const body = 'Символ \ufffd пришёл в прошлом ответе';
    const raw = eml(
      ['From: a@b.example', 'Message-ID: <fffd@b.example>', 'Content-Type: text/plain; charset=utf-8'],
      Buffer.from(body, 'utf8'),
    );
    expect((await itemOf(raw)).text).toBe(body);
  });

  it('reads a calendar invitation (Outlook: the text/calendar part and invite.ics) into the text once, the file kept', async () => {
    // Folded lines, escaped commas and new lines, a zone by TZID: as Outlook writes a meeting request.
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Moscow',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'SUMMARY;LANGUAGE=ru-RU:Приём граждан по вопросу\\, ',
      ' капремонта',
      'DTSTART;TZID="Europe/Moscow":20250410T130000',
      'LOCATION:ул. Ленина\\, 5',
      'DESCRIPTION:Прошу принять меня.\\nКровля течёт третий год.',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const raw = eml(
      [
        'From: citizen@mail.example',
        'Subject: =?UTF-8?B?' + b64('Приглашение: приём граждан') + '?=',
        'Message-ID: <invite@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="m"',
      ],
      '--m\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n' +
        '--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n' +
        `--a\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(ics)}\r\n--a--\r\n` +
        `--m\r\nContent-Type: application/ics; name="invite.ics"\r\nContent-Disposition: attachment; filename="invite.ics"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(ics)}\r\n--m--\r\n`,
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(
      [
        'Приглашение на встречу (файл календаря во вложении):',
        'Тема: Приём граждан по вопросу, капремонта',
        'Когда: 10.04.2025 13:00 (Europe/Moscow)',
        'Где: ул. Ленина, 5',
        'Прошу принять меня.',
        'Кровля течёт третий год.',
      ].join('\n'),
    );
    expect(item.attachments?.map((a) => a.fileName)).toEqual(['attachment-1.ics', 'invite.ics']);
  });

  it('reads a letter forwarded as an attachment (message/rfc822) into the text, and keeps it as an .eml file', async () => {
    const inner = [
      'From: =?UTF-8?B?' + b64('Управляющая компания') + '?= <uk@housing.example>',
      'To: citizen@mail.example',
      'Subject: =?UTF-8?B?' + b64('Ответ на заявку') + '?=',
      'Content-Type: text/plain; charset=windows-1251',
      'Content-Transfer-Encoding: base64',
      '',
      b64('Ремонт кровли запланирован на 2026 год.', 'windows-1251'),
    ].join('\r\n');
    const raw = eml(
      [
        'From: citizen@mail.example',
        'Message-ID: <fwd@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="f"',
      ],
      '--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n' +
        inner +
        '\r\n--f--\r\n',
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(
      'Пересланное письмо:\nОт: Управляющая компания <uk@housing.example>\nТема: Ответ на заявку\n\n' +
        'Ремонт кровли запланирован на 2026 год.',
    );
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['forwarded-1.eml', 'message/rfc822'],
    ]);
  });

  it('reads a forward of a forward (an official answer forwarded on, then to us): the letter inside is said', async () => {
    const answer = [
      'From: uk@housing.example',
      'Subject: =?UTF-8?B?' + b64('Ответ на заявку') + '?=',
      'Content-Type: text/plain; charset=koi8-r',
      'Content-Transfer-Encoding: base64',
      '',
      b64('Ремонт кровли запланирован на 2026 год.', 'koi8-r'),
    ].join('\r\n');
    const neighbour = [
      'From: neighbour@mail.example',
      'Subject: Fwd',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="n"',
      '',
      '--n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n--n\r\nContent-Type: message/rfc822\r\n',
      answer,
      '--n--',
    ].join('\r\n');
    const raw = eml(
      [
        'From: citizen@mail.example',
        'Message-ID: <fwd-fwd@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="f"',
      ],
      `--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n${neighbour}\r\n--f--\r\n`,
    );
    expect((await itemOf(raw)).text).toBe(
      'Пересланное письмо:\nОт: neighbour@mail.example\nТема: Fwd\n\n' +
        'Пересланное письмо:\nОт: uk@housing.example\nТема: Ответ на заявку\n\nРемонт кровли запланирован на 2026 год.',
    );
  });

  it('reads a forwarded old letter in undeclared 8-bit windows-1251, headers and body, without «�»', async () => {
    // An old letter from a housing company's mailer: raw 8-bit Cyrillic in From and Subject, no charset anywhere.
    const inner = Buffer.concat([
      Buffer.from('From: '),
      encode('Управляющая компания', 'windows-1251'),
      Buffer.from(' <uk@housing.example>\r\nSubject: '),
      encode('Ответ на заявку', 'windows-1251'),
      Buffer.from('\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      encode('Ремонт кровли запланирован на 2026 год, ждите.', 'windows-1251'),
    ]);
    const raw = eml(
      [
        'From: citizen@mail.example',
        'Message-ID: <fwd-1251@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="f"',
      ],
      Buffer.concat([
        Buffer.from('--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'),
        Buffer.from('Пересылаю ответ УК.', 'utf8'),
        Buffer.from('\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n'),
        inner,
        Buffer.from('\r\n--f--\r\n'),
      ]),
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(
      'Пересылаю ответ УК.\n\nПересланное письмо:\nОт: Управляющая компания <uk@housing.example>\n' +
        'Тема: Ответ на заявку\n\nРемонт кровли запланирован на 2026 год, ждите.',
    );
    // The .eml keeps the letter's own bytes.
    expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').equals(inner)).toBe(true);
  });

  it("says in the text that Outlook's winmail.dat could not be read, beside the citizen's words", async () => {
    const letter = (dat: Buffer) =>
      eml(
        [
          'From: citizen@mail.example',
          'Message-ID: <tnef@mail.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="t"',
        ],
        '--t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          b64('Фото во вложении') +
          '\r\n--t\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n' +
          'Content-Disposition: attachment; filename="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          dat.toString('base64') +
          '\r\n--t--\r\n',
      );
    // Cut short in the middle of the photo's data.
    const dat = winmailDat([{ title: Buffer.from('photo.jpg\0'), data: TNEF_FIXTURE.photo }]);
    const item = await itemOf(letter(dat.subarray(0, dat.length - 5)));
    expect(item.text).toMatch(
      /^Фото во вложении\n\nВложение «winmail\.dat» в формате Outlook \(TNEF\) не распознано/,
    );
    expect(item.attachments).toHaveLength(1);
    expect(item.attachments?.[0]).toMatchObject({
      fileName: 'winmail.dat',
      contentType: 'application/ms-tnef',
    });
    // A whole stream with no file in it (the message's properties only) is nothing to tell the clerk about.
    const empty = await itemOf(letter(winmailDat([])));
    expect(empty.text).toBe('Фото во вложении');
    expect(empty.attachments).toHaveLength(1);
  });

  it('does not let an S/MIME signature (smime.p7s) stand as the only content of a letter', async () => {
    const signed = (subject: string, words: string) =>
      eml(
        [
          'From: signer@mail.example',
          ...(subject ? ['Subject: =?UTF-8?B?' + b64(subject) + '?='] : []),
          'Message-ID: <signed-1@mail.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"',
        ],
        `--s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(words)}\r\n` +
          '--s\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
          'Content-Disposition: attachment; filename="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          'MIIGAAYJKoZIhvcNAQcCoIIF8TCCBe0CAQEx\r\n--s--\r\n',
      );
    expect(await parseEmail(signed('', ''), ctx)).toEqual({
      kind: 'rejected',
      externalId: 'signed-1@mail.example',
      reason: EMPTY_LETTER_REASON,
    });
    expect((await itemOf(signed('Яма у дома 5', ''))).text).toBe('Яма у дома 5');
    const item = await itemOf(signed('Яма', 'Прошу заделать яму.'));
    expect(item.text).toBe('Прошу заделать яму.');
    expect(item.attachments!.map((a) => a.fileName)).toEqual(['smime.p7s']);
  });

  it("sets aside a letter whose only words are its mail app's signature, and keeps one with a subject or a file", async () => {
    const plain = (id: string, body: string, subject?: string) =>
      eml(
        [
          'From: ivan@mail.example',
          ...(subject ? [`Subject: =?UTF-8?B?${b64(subject)}?=`] : []),
          `Message-ID: <${id}@mail.example>`,
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ],
        b64(body),
      );
    for (const [i, body] of [
      '\n\nОтправлено с iPhone',
      '\n--\nОтправлено из мобильной Почты Mail.ru',
      'Отправлено из приложения Яндекс Почта для Android',
      'Sent from my iPhone',
    ].entries())
      expect(await parseEmail(plain(`sig-${i}`, body), ctx)).toEqual({
        kind: 'rejected',
        externalId: `sig-${i}@mail.example`,
        reason: APP_SIGNATURE_ONLY_REASON,
      });
    // A subject says something; a citizen's own line that begins the same way is theirs.
    expect((await itemOf(plain('sig-5', 'Отправлено с iPhone', 'Яма у дома 5'))).text).toBe(
      'Отправлено с iPhone',
    );
    const own = 'Отправлено с опозданием: прошу починить свет в подъезде';
    expect((await itemOf(plain('sig-6', own))).text).toBe(own);
    // With a photo it is the photo the citizen sent.
    const photo = eml(
      [
        'From: ivan@mail.example',
        'Message-ID: <sig-7@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
      ],
      [
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Отправлено с iPhone',
        '--b',
        'Content-Type: image/jpeg; name="IMG_0412.jpg"',
        'Content-Disposition: attachment; filename="IMG_0412.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        '/9j/4AAQSkZJRgABAQ==',
        '--b--',
        '',
      ].join('\n'),
    );
    expect((await itemOf(photo)).attachments!.map((a) => a.fileName)).toEqual(['IMG_0412.jpg']);
  });

  it('cuts a subject of thousands of characters for the card and keeps it whole at the head of the text', async () => {
    const long = `${'Прошу разобраться с уборкой снега во дворе '.repeat(60)}[№ 2026-000777]`;
    const raw = eml(
      [
        'From: ivan@mail.example',
        'Subject: =?UTF-8?B?' + b64(`Re: ${long}`) + '?=',
        'Message-ID: <long-1@mail.example>',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
      ],
      b64('Снег так и не убран.'),
    );
    const item = await itemOf(raw);
    expect(item.subject!.length).toBeLessThanOrEqual(500);
    expect(item.subject).toMatch(/^Re: Прошу разобраться .*[а-я]…$/);
    expect(item.text).toBe(`Тема письма: Re: ${long}\n\nСнег так и не убран.`);
    // The number at the end of the long subject still names the appeal.
    expect(item.thread?.registrationNumber).toBe('2026-000777');
  });

  it('reads the words of a letter Outlook sent in rich text: only winmail.dat, its body PR_RTF_COMPRESSED', async () => {
    const rtfLetter = (rtf: string, textPart: string | undefined) => {
      const dat = winmailDat([{ title: Buffer.from('photo.jpg\0'), data: TNEF_FIXTURE.photo }], 1251, {
        rtf,
      });
      return eml(
        [
          'From: citizen@mail.example',
          'Subject: =?UTF-8?B?' + b64('Освещение') + '?=',
          'Message-ID: <tnef-rtf@mail.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="t"',
        ],
        (textPart !== undefined
          ? '--t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
            b64(textPart) +
            '\r\n'
          : '') +
          '--t\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n' +
          'Content-Disposition: attachment; filename="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          dat.toString('base64').replace(/.{76}/g, '$&\r\n') +
          '\r\n--t--\r\n',
      );
    };
    const plainRtf =
      '{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fcharset204 Arial;}}\\pard\\f0 ' +
      "\\'cd\\'e5 \\'e3\\'ee\\'f0\\'e8\\'f2 \\'f4\\'ee\\'ed\\'e0\\'f0\\'fc.\\par}";
    const item = await itemOf(rtfLetter(plainRtf, undefined));
    expect(item.text).toBe(
      'Не горит фонарь.\n\nИз вложения «winmail.dat» в формате Outlook (TNEF) извлечены файлы: «photo.jpg».',
    );
    // Encapsulated HTML (\fromhtml1) with a table: its text, the table's cells kept apart.
    const htmlRtf =
      '{\\rtf1\\ansi\\ansicpg1251\\fromhtml1 {\\*\\htmltag19 <html>}{\\*\\htmltag34 <body>}' +
      "{\\*\\htmltag <table><tr><td>}\\htmlrtf {\\htmlrtf0 \\'c0\\'e4\\'f0\\'e5\\'f1{\\*\\htmltag </td><td>}" +
      'Lenina, 5{\\*\\htmltag </td></tr></table>}{\\*\\htmltag </body></html>}}}';
    expect((await itemOf(rtfLetter(htmlRtf, ''))).text).toMatch(/^Адрес\s+Lenina, 5\n\n/);
    // A text part of its own wins: the RTF is then the same words again.
    expect((await itemOf(rtfLetter(plainRtf, 'Фонарь не горит'))).text).toMatch(/^Фонарь не горит\n\n/);
  });

  it("takes the files out of Outlook's winmail.dat, keeping the .dat, and names them in the text", async () => {
    const dat = pdfAndPhoto('Заявление.pdf');
    const raw = eml(
      [
        'From: citizen@mail.example',
        'Message-ID: <tnef-files@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="t"',
      ],
      '--t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        b64('Заявление и фото во вложении') +
        '\r\n--t\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n' +
        'Content-Disposition: attachment; filename="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        dat.toString('base64').replace(/.{76}/g, '$&\r\n') +
        '\r\n--t--\r\n',
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(
      'Заявление и фото во вложении\n\nИз вложения «winmail.dat» в формате Outlook (TNEF) извлечены файлы: ' +
        '«Заявление.pdf», «Фото двора.jpg».',
    );
    expect(item.attachments!.map((a) => [a.fileName, a.contentType, a.size])).toEqual([
      ['winmail.dat', 'application/ms-tnef', dat.length],
      ['Заявление.pdf', 'application/pdf', TNEF_FIXTURE.pdf.length],
      ['Фото двора.jpg', 'application/octet-stream', TNEF_FIXTURE.photo.length],
    ]);
    expect(Buffer.from(item.attachments![2].contentBase64!, 'base64')).toEqual(TNEF_FIXTURE.photo);

    // A file in it over the limit is named and left in the mailbox, inside the .dat.
    const small = await itemOf(raw, { maxAttachmentBytes: 20 });
    expect(small.attachments![1]).toEqual({
      fileName: 'Заявление.pdf',
      contentType: 'application/pdf',
      size: TNEF_FIXTURE.pdf.length,
    });
    expect(small.attachments![2].contentBase64).toBe(TNEF_FIXTURE.photo.toString('base64'));
    expect(small.features!.attachmentsNote).toContain('«Заявление.pdf»');
  });

  it('reads a UTF-16 body labelled utf-8, and keeps NUL out of the text, subject, name and file names', async () => {
    const utf16 = eml(
      [
        'From: a@b.example',
        'Message-ID: <u16@b.example>',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
      ],
      Buffer.from('\ufeffЯма на дороге у школы', 'utf16le').toString('base64'),
    );
    expect((await itemOf(utf16)).text).toBe('Яма на дороге у школы');
    const nul = Buffer.concat([
      eml(
        [
          'From: "Ив\u0000ан" <ivan@b.example>',
          'Subject: Сн\u0000ег',
          'Message-ID: <nul@b.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="n"',
        ],
        '--n\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      Buffer.from('Убер\u0000ите снег', 'utf8'),
      Buffer.from(
        '\r\n--n\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a\u0000.pdf"\r\n\r\n%PDF\r\n--n--\r\n',
        'latin1',
      ),
    ]);
    const item = await itemOf(nul);
    const strings = JSON.stringify([
      item.text,
      item.subject,
      item.author,
      item.attachments?.map((a) => a.fileName),
    ]);
    expect(strings).not.toContain('\\u0000');
    expect(item.text).toBe('Уберите снег');
  });

  it('answers a letter without From by its Reply-To or Sender; says an opaque S/MIME letter was not read', async () => {
    const noFrom = (header: string) =>
      eml([header, 'Message-ID: <nofrom@b.example>', 'Content-Type: text/plain; charset=utf-8'], 'Текст');
    expect((await itemOf(noFrom('Reply-To: citizen@mail.example'))).author.email).toBe(
      'citizen@mail.example',
    );
    expect((await itemOf(noFrom('Sender: scanner@mail.example'))).author.email).toBe('scanner@mail.example');
    const smime = eml(
      [
        'From: citizen@mail.example',
        'Message-ID: <p7m@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
        'Content-Disposition: attachment; filename="smime.p7m"',
        'Content-Transfer-Encoding: base64',
      ],
      'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIBAA==',
    );
    const item = await itemOf(smime);
    expect(item.text).toMatch(/^Письмо подписано или зашифровано \(S\/MIME\)/);
    expect(item.attachments?.[0]).toMatchObject({ fileName: 'smime.p7m' });
  });

  it('opens an opaque S/MIME signed letter (pkcs7-mime signed-data, DER or streamed BER) and keeps the signed file', async () => {
    for (const file of ['smime-signed-opaque.eml', 'smime-signed-streamed.eml']) {
      const item = await itemOf(readFileSync(resolve(SAMPLES, file)));
      expect(item.author).toMatchObject({ email: 'smirnova.o@mail.example', displayName: 'Ольга Смирнова' });
      expect(item.subject).toMatch(/^Протекает крыша/);
      // The signed entity's windows-1251 text, read as the citizen wrote it.
      expect(item.text).toMatch(/^Прошу отремонтировать крышу дома 12 по ул\. Садовой: течёт в подъезде 2\./);
      expect(item.text).toContain(
        'Письмо подписано электронной подписью (S/MIME): текст и вложения прочитаны из подписанного файла «smime.p7m»',
      );
      expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
        ['krysha.png', 'image/png'],
        ['smime.p7m', expect.stringMatching(/^application\/(x-)?pkcs7-mime$/)],
      ]);
      expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').subarray(1, 4).toString()).toBe(
        'PNG',
      );
    }
  });

  it('takes the document out of an attached signed file (Заявление.pdf.p7m) and keeps the file beside it', async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'signed-document-attached.eml')));
    expect(item.text).toBe(
      'Направляю заявление, подписанное электронной подписью.\n\nВложение «Заявление.pdf.p7m» подписано ' +
        'электронной подписью: подписанный документ извлечён как «Заявление.pdf», файл с подписью сохранён во ' +
        'вложениях для её проверки.',
    );
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['Заявление.pdf.p7m', 'application/pkcs7-mime'],
      ['Заявление.pdf', 'application/pdf'],
    ]);
    expect(Buffer.from(item.attachments![1].contentBase64!, 'base64').toString('utf8')).toMatch(
      /^%PDF-1\.4\n% Заявление о ремонте крыши/,
    );
  });

  it('keeps an encrypted S/MIME letter as its file and tells the clerk it cannot be read', async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'smime-encrypted.eml')));
    expect(item.text).toBe(
      'Письмо зашифровано (S/MIME) для сертификата получателя: его текст и вложения прочитать нельзя, файл ' +
        '«smime.p7m» сохранён во вложениях. Попросите заявителя прислать письмо без шифрования или обратиться ' +
        'через другой канал.',
    );
    expect(item.attachments?.map((a) => a.fileName)).toEqual(['smime.p7m']);
  });

  it('reads the Russian day-first Date and named Russian zones when the mailbox gives no arrival time', async () => {
    const dated = async (date: string) =>
      (
        await itemOf(
          eml(['From: a@b.example', `Date: ${date}`, 'Content-Type: text/plain; charset=utf-8'], 'Текст'),
          { receivedAt: undefined, now: () => new Date('2030-01-01T00:00:00Z') },
        )
      ).receivedAt;
    expect(await dated('01.04.2025 10:00:00 +0300')).toBe('2025-04-01T07:00:00.000Z');
    expect(await dated('01.04.2025 10:00 +07:00')).toBe('2025-04-01T03:00:00.000Z');
    expect(await dated('Tue, 01 Apr 2025 10:00:00 MSK')).toBe('2025-04-01T07:00:00.000Z');
    expect(await dated('Tue, 01 Apr 2025 10:00:00 +0500 (YEKT)')).toBe('2025-04-01T05:00:00.000Z');
    expect(await dated('Tue, 01 Apr 2025 10:00:00 +0300')).toBe('2025-04-01T07:00:00.000Z');
    // Nothing readable: the time of reading, not a guess.
    expect(await dated('Вт, 01 апр 2025 10:00:00 +0300')).toBe('2030-01-01T00:00:00.000Z');
  });

  it('reads a Date header without a zone in the account zone, not the process zone', async () => {
    const dated = async (date: string, timeZone?: string) =>
      (
        await itemOf(
          eml(['From: a@b.example', `Date: ${date}`, 'Content-Type: text/plain; charset=utf-8'], 'Текст'),
          { receivedAt: undefined, timeZone, now: () => new Date('2030-01-01T00:00:00Z') },
        )
      ).receivedAt;
    // Novosibirsk is +07:00; the process runs in UTC or anywhere else.
    expect(await dated('Tue, 01 Apr 2025 23:30:00', 'Asia/Novosibirsk')).toBe('2025-04-01T16:30:00.000Z');
    expect(await dated('1 Apr 2025 23:30', 'Asia/Novosibirsk')).toBe('2025-04-01T16:30:00.000Z');
    expect(await dated('01.04.2025 23:30:00', 'Asia/Novosibirsk')).toBe('2025-04-01T16:30:00.000Z');
    expect(await dated('2025-04-01 23:30:00', 'Asia/Irkutsk')).toBe('2025-04-01T15:30:00.000Z');
    // Without a configured zone, Moscow's.
    expect(await dated('Tue, 01 Apr 2025 10:00:00')).toBe('2025-04-01T07:00:00.000Z');
    // A zone the header carries is its own.
    expect(await dated('Tue, 01 Apr 2025 10:00:00 +0000', 'Asia/Novosibirsk')).toBe(
      '2025-04-01T10:00:00.000Z',
    );
    expect(await dated('Tue, 01 Apr 2025 10:00:00 GMT', 'Asia/Novosibirsk')).toBe('2025-04-01T10:00:00.000Z');
  });

  it('gives a file without a name the extension its kind opens by', async () => {
    const part = (type: string) =>
      `--x\r\nContent-Type: ${type}\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n`;
    const raw = eml(
      ['From: a@b.example', 'Message-ID: <noname@b.example>', 'Content-Type: multipart/mixed; boundary="x"'],
      `--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nФото и документы во вложении\r\n` +
        [
          'image/jpeg',
          'application/octet-stream',
          'application/msword',
          'text/plain',
          'application/x-pkcs7-mime',
        ]
          .map(part)
          .join('') +
        '--x--\r\n',
    );
    expect((await itemOf(raw)).attachments?.map((a) => a.fileName)).toEqual([
      'attachment-1.jpg',
      'attachment-2.bin',
      'attachment-3.doc',
      'attachment-4.txt',
      'attachment-5.p7m',
    ]);
  });

  it("names an HTML letter's inline pictures by their name, Content-Location or Outlook's Content-ID", async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'html-inline-images.eml')));
    expect(item.text).toContain('Яма на дороге у дома 4 по ул. Мира');
    expect(item.attachments?.map((a) => a.fileName)).toEqual([
      'image001.png',
      'яма-2.jpg',
      'attachment-3.png',
      'двор.png',
      'letter.html',
    ]);
  });

  it('turns an HTML-only letter into text', async () => {
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <h@b.example>',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      Buffer.from('<html><body><p>Не вывозят <b>мусор</b></p><p>Второй абзац</p></body></html>', 'utf8'),
    );
    const item = await itemOf(raw);
    expect(item.text).toContain('Не вывозят мусор');
    expect(item.text).toContain('Второй абзац');
    expect(item.text).not.toContain('<');
  });

  // No clock read (the machine's load is not the code's): 200 000 spaces take a second or two in linear time and
  // minutes in the quadratic time of before (6 s for 60 000), so a quadratic pass fails by the test's timeout.
  it('turns an HTML letter of 200 000 no-break spaces into text in linear time (6 s of a blocked worker for 60 000 before)', async () => {
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <nbsp@b.example>',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      Buffer.from(`<p>Не вывозят мусор${'&nbsp;'.repeat(200_000)}!</p><p>Второй абзац   </p>`, 'utf8'),
    );
    const item = await itemOf(raw);
    // 200 000 spaces are longer than an appeal's text: the whole of it is the file beside (clipLongText).
    const whole = Buffer.from(item.attachments![0].contentBase64!, 'base64').toString('utf8');
    expect(whole.endsWith('!\n\nВторой абзац')).toBe(true);
  }, 30_000);

  it('registers a body of any length: its beginning as the text, the whole of it as a file beside', async () => {
    // An image's base64 a mail client left in the text part: 27 000 lines, each a word of its own. Whole, Postgres
    // could not build the appeal's search vector (over 1 MB) and the letter was never registered.
    const lines = Array.from({ length: 27_000 }, (_, i) =>
      createHash('sha256').update(String(i)).digest('base64'),
    );
    const body = `Прошу посмотреть фото\n${lines.join('\n')}`;
    const item = await itemOf(
      eml(
        ['From: a@b.example', 'Message-ID: <long@b.example>', 'Content-Type: text/plain; charset=utf-8'],
        Buffer.from(body, 'utf8'),
      ),
    );
    expect(item.text.length).toBeLessThan(50_200);
    expect(item.text).toMatch(/^Прошу посмотреть фото\n/);
    expect(item.text).toMatch(
      /Текст обращения длиннее 50000 знаков: полностью — во вложении «obrashchenie\.txt»\.$/,
    );
    expect(item.attachments?.[0]).toMatchObject({ fileName: 'obrashchenie.txt', contentType: 'text/plain' });
    const whole = Buffer.from(item.attachments![0].contentBase64!, 'base64').toString('utf8');
    expect(whole.replace(/\r\n/g, '\n').trim()).toBe(body);
  });

  it('reads the text of an HTML-only body beside an attachment and keeps the HTML as a file', async () => {
    // The shape Yandex and Gmail web clients send when the citizen attaches a photo to a formatted letter:
    // multipart/mixed with text/html and the file, no text/plain anywhere.
    const html =
      '<html><head><style>p{margin:0}</style></head><body><div>Здравствуйте!</div>' +
      '<p>Во дворе дома 5 по ул. Ленина <b>третью неделю</b> не вывозят мусор.</p>' +
      '<p>Фото&nbsp;во&nbsp;вложении.</p></body></html>';
    const raw = eml(
      [
        'From: citizen@yandex.example',
        'Message-ID: <html-mixed@yandex.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(html),
        '--b1',
        'Content-Type: image/jpeg; name="photo.jpg"',
        'Content-Disposition: attachment; filename="photo.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64'),
        '--b1--',
        '',
      ].join('\n'),
    );
    const item = await itemOf(raw);
    expect(item.text).toBe(
      'Здравствуйте!\n\nВо дворе дома 5 по ул. Ленина третью неделю не вывозят мусор.\n\nФото во вложении.',
    );
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['photo.jpg', 'image/jpeg'],
      ['letter.html', 'text/html'],
    ]);
    expect(Buffer.from(item.attachments![1].contentBase64!, 'base64').toString('utf8')).toBe(html);
  });

  it('reads our fixture of an HTML-only Yandex letter with a photo: clean text, the photo, the HTML kept', async () => {
    const item = await itemOf(readFileSync(resolve(SAMPLES, 'html-only-mixed.eml')));
    expect(item.text).toBe(
      'Здравствуйте!\n\nВо дворе дома 7 по ул. Советской третью неделю не вывозят мусор, контейнеры переполнены, ' +
        'мусор разносит по двору.\n\nФото во вложении.\n\n--\nМария Кузнецова',
    );
    expect(item.subject).toBe('Не вывозят мусор, ул. Советская, 7');
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['IMG_20261117_135802.jpg', 'image/jpeg'],
      ['letter.html', 'text/html'],
    ]);
    expect(Buffer.from(item.attachments![1].contentBase64!, 'base64').toString('utf8')).toContain(
      '<b>третью неделю</b>',
    );
  });

  it("reads our fixture of a citizen's Thunderbird reply to our answer as referring to the answer", async () => {
    const answerId = outboundMessageId('answer-a1b2c3', ctx.fromAddress);
    const values: Record<string, string> = {
      FROM_ADDRESS: 'kuznetsova@mail.example',
      MESSAGE_ID: 'reply-7@mail.example',
      IN_REPLY_TO: answerId,
      REFERENCES: `<citizen-7@mail.example> <${answerId}>`,
    };
    const raw = readFileSync(resolve(SAMPLES, 'reply-to-answer.template.eml'), 'utf8').replace(
      /\{\{(\w+)\}\}/g,
      (_, key: string) => values[key],
    );
    const item = await itemOf(Buffer.from(raw, 'utf8'));
    expect(item.thread).toEqual({
      key: 'msgid:reply-7@mail.example',
      refersTo: [`msgid:${answerId}`, 'msgid:citizen-7@mail.example'],
    });
    expect(item.subject).toBe('Re: Перерасчёт за отопление');
    expect(item.text).toContain('в квитанции за ноябрь перерасчёта нет');
  });

  it("keeps a reply's own words as the text and the quote of our letter as a file (Gmail, then HTML-only Outlook)", async () => {
    const answerId = outboundMessageId('answer-q1', ctx.fromAddress);
    const words = 'Спасибо, но перерасчёта в квитанции нет.';
    const quote =
      'пн, 1 дек. 2025 г. в 10:00, Единый центр <obr@gov.example.ru>:\n> Перерасчёт выполнен.\n>\n> С уважением, Единый центр';
    const gmail = eml(
      [
        'From: ivanov@mail.example',
        'To: obr@gov.example.ru',
        'Subject: =?UTF-8?B?' + b64('Re: Перерасчёт') + '?=',
        'Message-ID: <gmail-reply-1@mail.example>',
        `In-Reply-To: <${answerId}>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(`${words}\n\n${quote}\n`),
        '--b1',
        'Content-Type: text/html; charset=UTF-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(`<div>${words}</div><div class="gmail_quote">…</div>`),
        '--b1--',
        '',
      ].join('\n'),
    );
    const item = await itemOf(gmail);
    expect(item.text).toBe(
      `${words}\n\nЦитата предыдущей переписки из письма сохранена во вложении «${QUOTED_FILE_NAME}».`,
    );
    expect(item.attachments).toHaveLength(1);
    expect(item.attachments![0]).toMatchObject({
      fileName: QUOTED_FILE_NAME,
      contentType: 'text/plain',
    });
    expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').toString('utf8')).toBe(quote);

    // Outlook's HTML-only reply: the header block in bold, no `>`, under the words.
    const outlook = eml(
      [
        'From: petrova@mail.example',
        'To: obr@gov.example.ru',
        'Subject: =?UTF-8?B?' + b64('RE: Перерасчёт') + '?=',
        'Message-ID: <outlook-reply-1@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=UTF-8',
        'Content-Transfer-Encoding: base64',
      ],
      b64(
        `<html><body><p>${words}</p><div id="divRplyFwdMsg"><hr><b>От:</b> Единый центр &lt;obr@gov.example.ru&gt;<br>` +
          '<b>Отправлено:</b> 1 декабря 2025 г. 10:00<br><b>Кому:</b> petrova@mail.example<br><b>Тема:</b> Перерасчёт</div>' +
          '<p>Перерасчёт выполнен.</p></body></html>',
      ),
    );
    const fromOutlook = await itemOf(outlook);
    expect(fromOutlook.text).toBe(
      `${words}\n\nЦитата предыдущей переписки из письма сохранена во вложении «${QUOTED_FILE_NAME}».`,
    );
    expect(fromOutlook.text).not.toContain('Перерасчёт выполнен');
    expect(fromOutlook.attachments!.map((a) => a.fileName)).toEqual([QUOTED_FILE_NAME, 'letter.html']);
    expect(Buffer.from(fromOutlook.attachments![0].contentBase64!, 'base64').toString('utf8')).toContain(
      'От: Единый центр <obr@gov.example.ru>\nОтправлено: 1 декабря 2025 г. 10:00',
    );
  });

  it('names a file without the folders, control or bidi characters its name came with', async () => {
    const part = (disposition: string) => [
      '--b1',
      'Content-Type: application/pdf',
      `Content-Disposition: attachment; ${disposition}`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64'),
    ];
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <names@b.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Документы во вложении',
        ...part(`filename*=UTF-8''${encodeURIComponent('..\\..\\Windows\\Заявление.pdf')}`),
        ...part('filename="../../etc/passwd"'),
        // U+202E turns «Заявлениеfdp.exe» into «Заявлениеexe.pdf» on a clerk's screen.
        ...part(`filename*=UTF-8''${encodeURIComponent('Заявление\u202Efdp.exe')}`),
        ...part('filename="   "'),
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const item = await itemOf(raw);
    expect(item.attachments!.map((a) => a.fileName)).toEqual([
      'Заявление.pdf',
      'passwd',
      'Заявлениеfdp.exe',
      'attachment-4.pdf',
    ]);
  });

  it('carries a base64 attachment inline, with its Cyrillic RFC 2231 file name', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% фото ямы\n%%EOF\n', 'utf8');
    const raw = eml(
      [
        'From: a@b.example',
        'Message-ID: <att@b.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64('Фото во вложении'),
        '--b1',
        'Content-Type: application/pdf',
        "Content-Disposition: attachment; filename*=UTF-8''" + encodeURIComponent('Фото ямы.pdf'),
        'Content-Transfer-Encoding: base64',
        '',
        pdf.toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const item = await itemOf(raw);
    expect(item.text).toBe('Фото во вложении');
    expect(item.attachments).toEqual([
      {
        fileName: 'Фото ямы.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        contentBase64: pdf.toString('base64'),
      },
    ]);
  });

  it('keeps an attachment over the limit as metadata with a fetchable reference and a note', async () => {
    const big = Buffer.alloc(3000, 7);
    const raw = eml(
      ['From: a@b.example', 'Message-ID: <big@b.example>', 'Content-Type: multipart/mixed; boundary="b2"'],
      [
        '--b2',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'see attached',
        '--b2',
        'Content-Type: image/jpeg; name="photo.jpg"',
        'Content-Disposition: attachment; filename="photo.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        big.toString('base64'),
        '--b2--',
        '',
      ].join('\r\n'),
    );
    const item = await itemOf(raw, { maxAttachmentBytes: 1000 });
    expect(item.attachments).toEqual([
      {
        fileName: 'photo.jpg',
        contentType: 'image/jpeg',
        size: 3000,
        remoteRef: 'imap:INBOX:1700000000:7:2',
      },
    ]);
    expect(item.features).toMatchObject({ attachmentsNotInline: '1' });
    expect(item.features!.attachmentsNote).toContain('photo.jpg');
  });

  it('threads: key from Message-ID, refersTo from In-Reply-To and References; Reply-To wins for the answer', async () => {
    const item = await itemOf(
      plain([
        'In-Reply-To: <answer-1@inbox.gov.example.ru>',
        'References: <citizen-0@mail.example>\r\n <answer-1@inbox.gov.example.ru>',
        'Reply-To: =?UTF-8?B?' + b64('Иван') + '?= <ivan.home@mail.example>',
      ]),
    );
    expect(item.thread).toEqual({
      key: 'msgid:citizen-1@mail.example',
      refersTo: ['msgid:answer-1@inbox.gov.example.ru', 'msgid:citizen-0@mail.example'],
    });
    expect(item.replyAddress).toEqual({
      to: 'ivan.home@mail.example',
      toName: 'Иван',
      messageId: 'citizen-1@mail.example',
      references: ['citizen-0@mail.example', 'answer-1@inbox.gov.example.ru', 'citizen-1@mail.example'],
      subject: 'Снег во дворе',
    });
    expect(item.author.email).toBe('Ivan.Petrov@Mail.example');
  });

  it('reads the appeal number a reply names in its subject, with no In-Reply-To or References left', async () => {
    const withSubject = (subject: string) =>
      eml(
        [
          'From: ivan@mail.example',
          'To: obr@gov.example.ru',
          'Subject: =?UTF-8?B?' + b64(subject) + '?=',
          'Message-ID: <citizen-r1@mail.example>',
          'Content-Type: text/plain; charset=utf-8',
        ],
        'Dopolnyayu.',
      );
    const numberOf = async (subject: string) =>
      (await itemOf(withSubject(subject))).thread?.registrationNumber;
    expect(await numberOf('Re: Снег во дворе [№ 2026-000123]')).toBe('2026-000123');
    expect(await numberOf('RE: Ответ на обращение № 2026-000123')).toBe('2026-000123');
    expect(await numberOf('Fwd: Re: Ваше обращение №2026-0001234')).toBe('2026-0001234');
    expect(await numberOf('Отв: Ваше обращение № 2026-000123')).toBe('2026-000123');
    // A new letter that cites an earlier number is a new appeal; so is a number not in our format.
    expect(await numberOf('Повторно: ранее № 2026-000123 не решено')).toBeUndefined();
    expect(await numberOf('Обращение № 2026-000123 не решено')).toBeUndefined();
    expect(await numberOf('Re: Ваше обращение № ОГ-123/25')).toBeUndefined();
    expect(await numberOf('Re: Снег во дворе')).toBeUndefined();
  });

  it('gives the quote file the hash of its words as its identity, the same for the same quote however wrapped', async () => {
    const reply = (id: string, words: string, quote: string) =>
      eml(
        [
          'From: ivanov@mail.example',
          'To: obr@gov.example.ru',
          'Subject: Re: Perera',
          `Message-ID: <${id}@mail.example>`,
          `In-Reply-To: <${outboundMessageId('answer-q2', ctx.fromAddress)}>`,
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ],
        b64(`${words}\n\n${quote}\n`),
      );
    const attribution = 'пн, 1 дек. 2025 г. в 10:00, Единый центр <obr@gov.example.ru>:\n';
    const keyOf = async (raw: Buffer) =>
      (await itemOf(raw)).attachments!.find((a) => a.fileName === QUOTED_FILE_NAME)!.uniqueKey;
    const first = await keyOf(
      reply('q-1', 'Спасибо.', `${attribution}> Перерасчёт выполнен.\n> С уважением`),
    );
    const second = await keyOf(
      reply('q-2', 'И ещё одно.', `${attribution}>  Перерасчёт выполнен.\r\n> С уважением  `),
    );
    const other = await keyOf(reply('q-3', 'Спасибо.', `${attribution}> Срок продлён.\n> С уважением`));
    expect(first).toMatch(/^email-quote:sha256:[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it("takes the author from Reply-To when From is a relay: a site form's no-reply address, a list's DMARC rewrite", async () => {
    const relayed = (from: string, replyTo: string) =>
      eml(
        [
          `From: ${from}`,
          `Reply-To: ${replyTo}`,
          'Subject: =?UTF-8?B?' + b64('Обращение с сайта') + '?=',
          'Message-ID: <form-1@site.example>',
          'Content-Type: text/plain; charset=utf-8',
        ],
        'x',
      );
    const form = await itemOf(
      relayed('no-reply@admin-site.example', '=?UTF-8?B?' + b64('Иван Петров') + '?= <ivan@mail.example>'),
    );
    expect(form.author).toEqual({
      externalId: 'ivan@mail.example',
      displayName: 'Иван Петров',
      email: 'ivan@mail.example',
    });
    expect(form.replyAddress).toMatchObject({ to: 'ivan@mail.example', toName: 'Иван Петров' });
    const list = await itemOf(
      relayed(
        '=?UTF-8?B?' + b64("'Мария Лебедева' via Жители района") + '?= <zhiteli@groups.example>',
        'm.lebedeva@mail.example',
      ),
    );
    expect(list.author).toEqual({
      externalId: 'm.lebedeva@mail.example',
      displayName: 'Мария Лебедева',
      email: 'm.lebedeva@mail.example',
    });
    // A person's own From with another address of theirs in Reply-To stays the author.
    const own = await itemOf(relayed('ivan@mail.example', 'ivan.work@mail.example'));
    expect(own.author.email).toBe('ivan@mail.example');
  });

  it('falls back to uid:<uidValidity>:<uid> when there is no Message-ID', async () => {
    const raw = eml(['From: a@b.example', 'Subject: hi'], 'text');
    const item = await itemOf(raw);
    expect(item.externalId).toBe('uid:1700000000:7');
    expect(item.thread!.key).toBe('msgid:uid:1700000000:7');
    expect(item.replyAddress).toEqual({ to: 'a@b.example', references: [], subject: 'hi' });
  });
});

const ourId = outboundMessageId('out-42', ctx.fromAddress);

function dsn(originalId: string, action = 'failed', status = '5.1.1'): Buffer {
  return eml(
    [
      'From: MAILER-DAEMON@mx.mail.example (Mail Delivery System)',
      'To: obr@gov.example.ru',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.mail.example>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"',
    ],
    [
      '--rep',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'I am sorry to have to inform you that your message could not be delivered.',
      '--rep',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.mail.example',
      'Arrival-Date: Tue,  1 Apr 2025 12:00:00 +0300 (MSK)',
      '',
      'Final-Recipient: rfc822; nobody@mail.example',
      'Original-Recipient: rfc822;nobody@mail.example',
      `Action: ${action}`,
      `Status: ${status}`,
      'Remote-MTA: dns; mail.example',
      'Diagnostic-Code: smtp; 550 5.1.1 <nobody@mail.example>: Recipient address',
      '    rejected: User unknown',
      '',
      '--rep',
      'Content-Type: message/rfc822',
      '',
      'From: obr@gov.example.ru',
      'To: nobody@mail.example',
      'Subject: Re: Снег',
      `Message-ID: <${originalId}>`,
      '',
      'Ответ на ваше обращение',
      '--rep--',
      '',
    ].join('\r\n'),
  );
}

describe('parseEmail: bounces and auto-replies', () => {
  /** A read receipt (RFC 8098) as Thunderbird and mail.ru send it, about `originalId`. */
  const mdn = (originalId: string, disposition: string) =>
    eml(
      [
        'From: ivan@mail.example',
        'To: obr@gov.example.ru',
        `Subject: ${qWord('Прочитано: Ответ на обращение', 'utf-8')}`,
        'Message-ID: <mdn-1@mail.example>',
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"',
      ],
      [
        '--mdn',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64('Ваше сообщение было прочитано.'),
        '--mdn',
        'Content-Type: message/disposition-notification',
        '',
        'Reporting-UA: mail.example; Webmail',
        'Final-Recipient: rfc822;ivan@mail.example',
        `Original-Message-ID: <${originalId}>`,
        `Disposition: ${disposition}`,
        '--mdn--',
        '',
      ].join('\r\n'),
    );

  it('reads a read receipt as read, «deleted unread» as delivered, an error as failed; one not ours aside', async () => {
    const state = async (disposition: string) => {
      const result = await parseEmail(mdn(ourId, disposition), ctx);
      return result.kind === 'delivery-state' ? result.event.state : result.kind;
    };
    expect(await state('manual-action/MDN-sent-manually; displayed')).toBe('read');
    // Deleted without being read, or taken by a machine: it arrived; it is no failed delivery of our answer.
    expect(await state('automatic-action/MDN-sent-automatically; deleted')).toBe('delivered');
    expect(await state('automatic-action/MDN-sent-automatically; processed')).toBe('delivered');
    expect(await state('automatic-action/MDN-sent-automatically; processed/error')).toBe('failed');
    expect(await state('automatic-action/MDN-sent-automatically; failed')).toBe('failed');
    expect(
      await parseEmail(mdn('someone@else.example', 'manual-action/MDN-sent-manually; displayed'), ctx),
    ).toEqual({
      kind: 'rejected',
      externalId: 'mdn-1@mail.example',
      reason: automaticLetterReason('receipt-unrelated'),
    });
    expect(automaticLetterReason('receipt-unrelated')).toMatch(/^Уведомление о прочтении письма/);
  });

  it('turns a DSN about one of our letters into a failed delivery-state event', async () => {
    const result = await parseEmail(dsn(ourId), ctx);
    expect(result).toEqual({
      kind: 'delivery-state',
      event: {
        kind: 'delivery-state',
        channel: 'email',
        externalId: 'bounce-1@mx.mail.example',
        receivedAt: '2025-04-01T09:00:00.000Z',
        outboundMessageId: 'out-42',
        remoteId: ourId,
        state: 'failed',
        reason: expect.stringContaining('5.1.1'),
      },
    });
  });

  it('sets a DSN about a letter that is not ours aside for staff, in Russian; skips a delay notice', async () => {
    expect(await parseEmail(dsn('someone@else.example'), ctx)).toEqual({
      kind: 'rejected',
      externalId: 'bounce-1@mx.mail.example',
      reason: automaticLetterReason('bounce-unrelated'),
    });
    expect(automaticLetterReason('bounce-unrelated')).toMatch(/^Уведомление о недоставке письма/);
    expect(await parseEmail(dsn(ourId, 'delayed', '4.4.1'), ctx)).toMatchObject({
      kind: 'skipped',
      reason: 'bounce-delayed',
    });
  });

  it('reads an old-style text bounce from the mailer daemon', async () => {
    const raw = eml(
      [
        'From: Mail Delivery Subsystem <mailer-daemon@mx.example>',
        'Subject: Delivery Status Notification (Failure)',
        'Message-ID: <b2@mx.example>',
      ],
      `Delivery to the following recipient failed permanently:\n\n----- Original message -----\nMessage-ID: <${ourId}>\nSubject: Re: x\n`,
    );
    expect(await parseEmail(raw, ctx)).toMatchObject({
      kind: 'delivery-state',
      event: { state: 'failed', outboundMessageId: 'out-42' },
    });
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'Автоответ (Auto-Submitted: auto-replied)'],
    ['Auto-Submitted: auto-generated', 'Письмо создано автоматически (Auto-Submitted: auto-generated)'],
    ['X-Autoreply: yes', 'Автоответ (x-autoreply)'],
    ['X-Autorespond: 1', 'Автоответ (x-autorespond)'],
    ['Precedence: auto_reply', 'Автоответ (Precedence: auto_reply)'],
    ['X-Yandex-Autoreply: yes', 'Автоответ (x-yandex-autoreply)'],
    ['X-AutoReply-From: ivan@mail.example', 'Автоответ (x-autoreply-from)'],
    ['X-Autoresponder: on', 'Автоответ (x-autoresponder)'],
  ])('sets a message with %s aside for staff: «%s…», not an appeal', async (header, start) => {
    const result = await parseEmail(plain([header]), ctx);
    expect(result).toEqual({
      kind: 'rejected',
      externalId: 'citizen-1@mail.example',
      reason: expect.stringMatching(
        /: не зарегистрирован.+ Если это письмо гражданина, зарегистрируйте его вручную\.$/,
      ),
    });
    expect(result.kind === 'rejected' && result.reason.startsWith(`${start}: `)).toBe(true);
  });

  it.each([
    'Автоответ: Снег во дворе',
    'Out of Office: Re: Снег',
    'Automatic reply: Снег',
    'Auto: в отпуске',
    // «Автоответ» with no colon after it (Mail.ru, The Bat!): the pattern's \b never matched after a Cyrillic word.
    'Автоответ',
    'Автоответ Re: Снег во дворе',
    'Автоматический ответ (Re: Снег)',
    'Automatische Antwort: Снег',
    'Нет на месте',
    'Я в отпуске.',
  ])('sets a vacation reply titled %s aside for staff', async (subject) => {
    const raw = plain(['Subject: =?UTF-8?B?' + b64(subject) + '?=']);
    expect(await parseEmail(raw, ctx)).toMatchObject({
      kind: 'rejected',
      reason: automaticLetterReason('auto-reply', 'тема автоответа'),
    });
  });

  it('sets aside a letter with the null Return-Path; reads an Exim bounce (X-Failed-Recipients) from any From', async () => {
    const vacation = eml(
      ['Return-Path: <>', 'From: ivan@mail.example', 'Subject: Re: Snow', 'Message-ID: <np-1@mail.example>'],
      'I am away.',
    );
    expect(await parseEmail(vacation, ctx)).toEqual({
      kind: 'rejected',
      externalId: 'np-1@mail.example',
      reason: automaticLetterReason('auto-generated', 'Return-Path: <>'),
    });
    const exim = eml(
      [
        'From: Mail Delivery System <noreply@hosting.example>',
        'X-Failed-Recipients: ivan@mail.example',
        'Subject: Mail failure - rejected by local scanning code',
        'Message-ID: <exim-1@hosting.example>',
      ],
      `A message that you sent could not be delivered.\n\n------ This is a copy of the message, including all the headers.\n\nMessage-ID: <${ourId}>\nSubject: Re: Snow\n`,
    );
    expect(await parseEmail(exim, ctx)).toMatchObject({
      kind: 'delivery-state',
      event: { outboundMessageId: 'out-42', state: 'failed' },
    });
  });

  it('sets aside a report no delivery or read report is, an abuse feedback report (ARF) say, as written by a machine', async () => {
    const arf = eml(
      [
        'From: fbl@mail.example',
        'Message-ID: <arf-1@mail.example>',
        'Subject: FW: complaint',
        'Content-Type: multipart/report; report-type=feedback-report; boundary=r',
      ],
      '--r\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report\r\n' +
        '--r\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n\r\n--r--\r\n',
    );
    expect(await parseEmail(arf, ctx)).toEqual({
      kind: 'rejected',
      externalId: 'arf-1@mail.example',
      reason: automaticLetterReason('auto-generated', 'multipart/report; report-type=feedback-report'),
    });
  });

  it('keeps a citizen letter that only mentions an auto-reply, and Auto-Submitted: no', async () => {
    expect(
      (await parseEmail(plain(['Subject: =?UTF-8?B?' + b64('Ваш автоответ не работает') + '?=']), ctx)).kind,
    ).toBe('item');
    expect((await parseEmail(plain(['Auto-Submitted: no']), ctx)).kind).toBe('item');
    // Away words that begin a citizen's subject: nothing may follow them in an away notice's.
    for (const subject of ['Нет на месте люка у дома 5', 'Автоответчик поликлиники не соединяет'])
      expect((await parseEmail(plain(['Subject: =?UTF-8?B?' + b64(subject) + '?=']), ctx)).kind).toBe('item');
  });

  it('keeps a letter marked only X-Auto-Response-Suppress as an appeal: it asks for no auto-reply, people send it', async () => {
    // Outlook, help desks and site forms put it on letters a person wrote; an Exchange away notice carrying it is
    // known by its subject or Auto-Submitted.
    for (const value of ['All', 'OOF, AutoReply', 'DR, RN, NRN, OOF, AutoReply'])
      expect((await parseEmail(plain([`X-Auto-Response-Suppress: ${value}`]), ctx)).kind).toBe('item');
    const exchangeAway = plain([
      'X-Auto-Response-Suppress: All',
      'Subject: =?UTF-8?B?' + b64('Автоматический ответ: Снег во дворе') + '?=',
    ]);
    expect(await parseEmail(exchangeAway, ctx)).toMatchObject({
      kind: 'rejected',
      reason: automaticLetterReason('auto-reply', 'тема автоответа'),
    });
  });

  it('sets a mass mailing (List-Unsubscribe) aside for staff with the reason in Russian, not as an appeal', async () => {
    const raw = plain([
      'List-Unsubscribe: <mailto:unsub@news.example?subject=unsubscribe>, <https://news.example/u/8f3a>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    ]);
    expect(await parseEmail(raw, ctx)).toEqual({
      kind: 'rejected',
      externalId: 'citizen-1@mail.example',
      reason: MASS_MAILING_REASON,
    });
    expect(MASS_MAILING_REASON).toMatch(/^Массовая рассылка/);
    // A folded header, lower case: still the same header.
    expect((await parseEmail(plain(['list-unsubscribe:\r\n <https://news.example/u/1>']), ctx)).kind).toBe(
      'rejected',
    );
  });

  it.each(['Precedence: bulk', 'precedence: Junk'])(
    'sets a letter marked %s aside for staff with the reason in Russian, not skipped unseen',
    async (header) => {
      expect(await parseEmail(plain([header]), ctx)).toEqual({
        kind: 'rejected',
        externalId: 'citizen-1@mail.example',
        reason: BULK_PRECEDENCE_REASON,
      });
      expect(BULK_PRECEDENCE_REASON).toMatch(/^Массовая рассылка/);
      // An auto-reply that also says bulk is still named an auto-reply.
      expect(await parseEmail(plain([header, 'Auto-Submitted: auto-replied']), ctx)).toMatchObject({
        kind: 'rejected',
        reason: automaticLetterReason('auto-reply', 'Auto-Submitted: auto-replied'),
      });
    },
  );

  it("reads a citizen's reply to our letter as a letter even when a list or a gateway added List-Unsubscribe", async () => {
    const viaList = plain([
      `In-Reply-To: <${ourId}>`,
      `References: <other@mail.example> <${ourId}>`,
      'List-Id: <residents.dom5.example>',
      'List-Unsubscribe: <mailto:residents-leave@dom5.example>',
    ]);
    expect(await parseEmail(viaList, ctx)).toMatchObject({
      kind: 'item',
      item: { text: 'Прошу убрать снег во дворе.' },
    });
    // A discussion list alone (List-Id, no unsubscribe header) is a person writing.
    expect((await parseEmail(plain(['List-Id: <residents.dom5.example>']), ctx)).kind).toBe('item');
  });

  it('skips our own letter coming back', async () => {
    const raw = eml(['From: obr@gov.example.ru', `Message-ID: <${ourId}>`], 'copy');
    expect(await parseEmail(raw, ctx)).toMatchObject({ kind: 'skipped', reason: 'own-message' });
  });
});

describe('parseEmail: an encrypted letter', () => {
  it('says a PGP/MIME letter is encrypted instead of registering an empty text', async () => {
    const raw = eml(
      [
        'From: ivan@mail.example',
        'Message-ID: <pgp-1@mail.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="p"',
      ],
      [
        '--p',
        'Content-Type: application/pgp-encrypted',
        '',
        'Version: 1',
        '--p',
        'Content-Type: application/octet-stream; name="encrypted.asc"',
        '',
        '-----BEGIN PGP MESSAGE-----',
        'hQEMA',
        '-----END PGP MESSAGE-----',
        '--p--',
        '',
      ].join('\n'),
    );
    const result = await parseEmail(raw, ctx);
    expect(result).toMatchObject({
      kind: 'item',
      item: { text: expect.stringMatching(/^Письмо зашифровано \(PGP\)/) },
    });
    expect(
      (result as Extract<ParsedEmail, { kind: 'item' }>).item.attachments?.map((a) => a.fileName),
    ).toContain('encrypted.asc');
  });
});

describe('parseEmail: broken MIME', () => {
  const rejected = async (raw: Buffer): Promise<Extract<ParsedEmail, { kind: 'rejected' }>> => {
    const result = await parseEmail(raw, ctx);
    expect(result.kind).toBe('rejected');
    return result as Extract<ParsedEmail, { kind: 'rejected' }>;
  };

  // What a clerk is told to do with a letter past the MIME reader's limits.
  const keptWhole =
    'Письмо не удалено: откройте исходное письмо (в карантине или в почтовом ящике) и, если это письмо ' +
    'гражданина, зарегистрируйте его вручную.';

  it("rejects a letter past the MIME reader's limits as such, not as broken MIME: the letter is kept for a person", async () => {
    const header = await rejected(eml(['From: ' + 'a'.repeat(2_000_000), 'Message-ID: <x@y>'], 'x'));
    expect(header.reason).toBe(
      `Заголовок письма или одной из его частей больше 1 МБ: такой заголовок система не разбирает. ${keptWhole}`,
    );
    expect(header.externalId).toBe('uid:1700000000:7');
    const files = Array.from(
      { length: 1000 },
      (_, i) =>
        `--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="f${i}.txt"\r\n\r\n${i}\r\n`,
    );
    const parts = await rejected(
      eml(
        ['From: a@b.example', 'Message-ID: <parts@b>', 'Content-Type: multipart/mixed; boundary="B"'],
        `--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nText\r\n${files.join('')}--B--\r\n`,
      ),
    );
    expect(parts.reason).toBe(
      `В письме больше 1000 частей MIME (вложений и вложенных частей): столько система не разбирает. ${keptWhole}`,
    );
    expect(parts.externalId).toBe('uid:1700000000:7');
  });

  it("reads the parts by the body's own delimiter when the header declares another boundary, or none", async () => {
    const part = (boundary: string) =>
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${b64('Во дворе дома 5 яма')}\r\n--${boundary}\r\nContent-Type: application/pdf; name=akt.pdf\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--${boundary}--\r\n`;
    for (const contentType of [
      'Content-Type: multipart/mixed; boundary="----=_Part_0_declared"',
      'Content-Type: multipart/mixed;\r\n boundary=declared',
      'Content-Type: multipart/mixed',
    ]) {
      const item = await itemOf(
        eml(['From: a@b.example', 'Message-ID: <m@b>', contentType], part('----=_Part_9_own')),
      );
      expect(item.text).toBe('Во дворе дома 5 яма');
      expect(item.attachments?.map((a) => a.fileName)).toEqual(['akt.pdf']);
    }
  });

  it('rejects multipart without any boundary, a body that does not decode, no From, and binary garbage', async () => {
    expect(
      (
        await rejected(
          eml(
            ['From: a@b.example', 'Message-ID: <m@b>', 'Content-Type: multipart/mixed'],
            '--\r\n\r\nhi\r\n----',
          ),
        )
      ).reason,
    ).toBe('Письмо не удалось разобрать: составное письмо (multipart/mixed) без границы частей (boundary)');
    expect(
      (
        await rejected(
          eml(
            [
              'From: a@b.example',
              'Message-ID: <b@b>',
              'Content-Type: text/plain; charset=utf-8',
              'Content-Transfer-Encoding: base64',
            ],
            '!!!@@@###',
          ),
        )
      ).reason,
    ).toBe('Текст письма не удалось раскодировать');
    expect((await rejected(eml(['Subject: no sender', 'Message-ID: <n@b>'], 'hello'))).reason).toBe(
      NO_SENDER_REASON,
    );
    expect(NO_SENDER_REASON).toMatch(/^В письме нет адреса отправителя/);
    expect((await rejected(Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 10, 0x80]))).externalId).toMatch(
      /^uid:/,
    );
    expect((await rejected(Buffer.alloc(0))).reason).toBe('Почтовый сервер отдал пустое письмо (0 байт)');
  });

  it('takes the subject as the text of a letter whose words are all in its Subject, with or without a file', async () => {
    const question = 'Когда починят лифт в доме 5 по ул. Ленина?';
    const subjectOnly = eml(
      ['From: a@b.example', 'Message-ID: <s@b>', 'Subject: =?UTF-8?B?' + b64(question) + '?='],
      '',
    );
    expect(await itemOf(subjectOnly)).toMatchObject({ subject: question, text: question });
    // An iPhone's photo with a subject and an empty text part.
    const photo = eml(
      [
        'From: a@b.example',
        'Message-ID: <p@b>',
        'Subject: =?UTF-8?B?' + b64('Яма у дома 5') + '?=',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="Apple-Mail-1"',
      ],
      '--Apple-Mail-1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\r\n--Apple-Mail-1\r\n' +
        'Content-Type: image/jpeg; name=IMG_0412.jpg\r\nContent-Disposition: attachment; filename=IMG_0412.jpg\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n--Apple-Mail-1--\r\n',
    );
    const item = await itemOf(photo);
    expect(item.text).toBe('Яма у дома 5');
    expect(item.attachments?.map((a) => a.fileName)).toEqual(['IMG_0412.jpg']);
  });

  it('sets a letter with no text, no subject and no file aside for staff, in Russian', async () => {
    expect(await rejected(eml(['From: a@b.example', 'Message-ID: <e@b>', 'Subject:  '], '\r\n'))).toEqual({
      kind: 'rejected',
      externalId: 'e@b',
      reason: EMPTY_LETTER_REASON,
    });
    expect(EMPTY_LETTER_REASON).toBe('Пустое письмо: нет ни текста, ни темы, ни вложений');
  });
});
