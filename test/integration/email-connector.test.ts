import { readFileSync } from 'node:fs';
import { encode } from 'iconv-lite';
import { JsonLogger } from '@inbox/common';
import { resolve } from 'node:path';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorErrorCode,
  type InboundItem,
} from '@inbox/integrations/contract';
import { EmailConnector, type EmailCursor, outboundMessageId, parseEmail } from '@inbox/integrations/email';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { startCuttingProxy } from '../fakes/email/cutting-proxy';

// Our own letters in the shapes of real KOI8-R / windows-1251 mail (test/fixtures/email).
const SAMPLES = resolve(__dirname, '../fixtures/email');
const FROM = 'obr@gov.example.ru';

let dovecot: DovecotInstance;
let smtp: SmtpReceiver;
// Quiet logs: the suite asserts on behaviour, not on log lines.
const connector = new EmailConnector({ logger: new JsonLogger('email-connector', 'error') });

beforeAll(async () => {
  // One after another: a start that fails must not leave the other running unseen by afterAll.
  dovecot = await startDovecot();
  smtp = await startSmtpReceiver();
});

afterAll(async () => {
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

beforeEach(() => smtp.reset());

function account(mailbox = 'INBOX', overrides: Partial<Record<string, unknown>> = {}): ChannelAccountRef {
  const user = dovecot.users[0];
  return {
    id: 'email-account-1',
    channel: Channel.Email,
    settings: {
      imapHost: dovecot.host,
      imapPort: dovecot.port,
      imapSecure: false,
      mailbox,
      smtpHost: smtp.host,
      smtpPort: smtp.port,
      smtpSecure: false,
      fromAddress: FROM,
      fromName: 'Приёмная Правительства области',
      timeoutMs: 5000,
      ...overrides,
    },
    secrets: { imapUser: user.user, imapPassword: user.password },
  };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function citizenLetter(
  n: number,
  extra: string[] = [],
  subject = `Обращение ${n}: снег во дворе`,
  body = `Письмо ${n}. Во дворе дома по ул. Ленина, ${n} не убран снег.`,
  sender = n,
): string {
  return [
    `From: =?UTF-8?B?${b64(`Житель ${sender}`)}?= <citizen${sender}@mail.example>`,
    `To: ${FROM}`,
    `Subject: =?UTF-8?B?${b64(subject)}?=`,
    'Date: Tue, 01 Apr 2025 12:00:00 +0300',
    `Message-ID: <letter-${n}.${Date.now()}@mail.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    ...extra,
    '',
    b64(body),
    '',
  ].join('\r\n');
}

async function pullAll(acc: ChannelAccountRef, cursor: unknown, limit = 50) {
  return connector.pull(acc, cursor, limit);
}

const ids = (items: InboundItem[]) => items.map((i) => i.externalId);

/** A page of three letters whose middle one (UID 2) the server refused: the other two read, it quarantined, all passed. */
function expectMiddleRefused(page: Awaited<ReturnType<typeof pullAll>>, uidValidity: number, read: number[]) {
  expect(page.items.map((i) => i.subject)).toEqual(read.map((n) => `Обращение ${n}: снег во дворе`));
  expect(page.rejected).toEqual([
    {
      externalId: `uid:${uidValidity}:2`,
      reason: expect.stringMatching(/^Письмо не удалось прочитать с почтового сервера: \S/),
    },
  ]);
  expect(page.nextCursor).toEqual({ uidValidity, lastUid: 3 });
  expect(page.hasMore).toBe(false);
}

describe('EmailConnector against dovecot and an SMTP receiver', () => {
  it('checks the account: IMAP login and SMTP; a missing mailbox is NotFound', async () => {
    await expect(connector.check(account())).resolves.toBeUndefined();
    await expect(connector.check(account('NoSuchFolder'))).rejects.toMatchObject({
      code: ConnectorErrorCode.NotFound,
    });
  });

  it('pulls three letters, resumes from the cursor with nothing new, and re-reads the same ids from an old cursor', async () => {
    await dovecot.createMailbox('obr', 'Three');
    for (const n of [1, 2, 3]) await dovecot.deliver('obr', citizenLetter(n), 'Three');
    const acc = account('Three');

    const first = await pullAll(acc, null);
    expect(first.items).toHaveLength(3);
    expect(first.hasMore).toBe(false);
    expect(first.items.map((i) => i.subject)).toEqual([
      'Обращение 1: снег во дворе',
      'Обращение 2: снег во дворе',
      'Обращение 3: снег во дворе',
    ]);
    expect(first.items[0]).toMatchObject({
      channel: 'email',
      regime: 'message',
      features: { notice547: 'yes' },
      author: {
        externalId: 'citizen1@mail.example',
        displayName: 'Житель 1',
        email: 'citizen1@mail.example',
      },
      text: 'Письмо 1. Во дворе дома по ул. Ленина, 1 не убран снег.',
    });
    const uidValidity = await dovecot.uidValidity('obr', 'Three');
    expect(first.nextCursor).toEqual({ uidValidity, lastUid: 3 });

    const resumed = await pullAll(acc, first.nextCursor);
    expect(resumed.items).toHaveLength(0);
    expect(resumed.nextCursor).toEqual(first.nextCursor);

    // A crash before the cursor was stored: the old cursor gives the same items, so dedupe holds.
    const again = await pullAll(acc, null);
    expect(ids(again.items)).toEqual(ids(first.items));

    // Paging by limit.
    const page1 = await pullAll(acc, null, 2);
    expect(page1.items).toHaveLength(2);
    expect(page1.hasMore).toBe(true);
    const page2 = await pullAll(acc, page1.nextCursor, 2);
    expect(ids([...page1.items, ...page2.items])).toEqual(ids(first.items));
    expect(page2.hasMore).toBe(false);
  });

  it('decodes KOI8-R and windows-1251 letters as delivered through IMAP', async () => {
    await dovecot.createMailbox('obr', 'Samples');
    for (const file of ['koi8r.eml', 'windows1251.eml']) {
      await dovecot.deliver('obr', readFileSync(resolve(SAMPLES, file)), 'Samples');
    }
    const page = await pullAll(account('Samples'), null);
    expect(page.items.map((i) => [i.externalId, i.subject, i.text])).toEqual([
      ['koi8r-7f3a@mail.example', 'Отопление', 'Холодные батареи'],
      ['cp1251-91bd@mail.example', 'Дорога', 'Ямы на дороге'],
    ]);
  });

  it('reads a forwarded old letter whose 8-bit windows-1251 says no charset, as delivered through IMAP', async () => {
    await dovecot.createMailbox('obr', 'Forwarded');
    const raw = readFileSync(resolve(SAMPLES, 'forwarded-undeclared-1251.eml'));
    await dovecot.deliver('obr', raw, 'Forwarded');
    const page = await pullAll(account('Forwarded'), null);
    expect(page.rejected).toEqual([]);
    expect(page.items).toHaveLength(1);
    const [item] = page.items;
    expect(item.text).toBe(
      'Добрый день! Пересылаю ответ управляющей компании, ремонт так и не сделан.\n\n' +
        'Пересланное письмо:\nОт: ООО УК Дом-5 <uk-dom5@housing.example>\nТема: Ответ на заявку № 318\n\n' +
        'Уважаемый житель! Ремонт кровли над вашей квартирой запланирован на второй квартал 2025 года.\n' +
        'Диспетчерская служба УК Дом-5',
    );
    expect(item.text).not.toContain('\ufffd');
    expect(item.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['forwarded-1.eml', 'message/rfc822'],
    ]);
  });

  it("reads a form mailer's windows-1251 letter labelled ANSI_X3.4-1968, as delivered through IMAP", async () => {
    await dovecot.createMailbox('obr', 'FormMailer');
    await dovecot.deliver(
      'obr',
      readFileSync(resolve(SAMPLES, 'form-mailer-ansi-x3.4-1968.eml')),
      'FormMailer',
    );
    const page = await pullAll(account('FormMailer'), null);
    expect(page.items.map((i) => [i.subject, i.text.split('\n')[2]])).toEqual([
      ['Обращение с сайта района', 'Текст: Прошу отремонтировать освещение во дворе дома 12 по ул. Мира.'],
    ]);
  });

  it('takes a file uuencoded into an Outlook Express letter out as an attachment, as delivered through IMAP', async () => {
    await dovecot.createMailbox('obr', 'Uuencoded');
    await dovecot.deliver(
      'obr',
      readFileSync(resolve(SAMPLES, 'outlook-express-uuencoded.eml')),
      'Uuencoded',
    );
    const [item] = (await pullAll(account('Uuencoded'), null)).items;
    expect(item.subject).toBe('Детская площадка');
    expect(item.text).toContain('[Вложение «ploshchadka.jpg» (было вставлено в текст письма)]');
    expect(item.text).not.toMatch(/^M/m);
    expect(item.attachments?.map((a) => [a.fileName, a.size])).toEqual([['ploshchadka.jpg', 278]]);
    expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').subarray(0, 4).toString('hex')).toBe(
      'ffd8ffe0',
    );
  });

  it('starts over when UIDVALIDITY changes, and says so', async () => {
    await dovecot.createMailbox('obr', 'Rebuilt');
    const letters = [citizenLetter(11), citizenLetter(12)];
    for (const l of letters) await dovecot.deliver('obr', l, 'Rebuilt');
    const acc = account('Rebuilt');
    const before = await pullAll(acc, null);
    expect(before.items).toHaveLength(2);

    // The server rebuilt the mailbox: same letters back, one new; every UID is new.
    await dovecot.recreateMailbox('obr', 'Rebuilt');
    for (const l of [...letters, citizenLetter(13)]) await dovecot.deliver('obr', l, 'Rebuilt');
    const newValidity = await dovecot.uidValidity('obr', 'Rebuilt');
    expect(newValidity).not.toBe(before.nextCursor.uidValidity);

    const after = await pullAll(acc, before.nextCursor);
    expect(after.resync).toEqual({
      reason: 'uidvalidity-changed',
      previousUidValidity: before.nextCursor.uidValidity,
      uidValidity: newValidity,
    });
    expect(after.items).toHaveLength(3);
    expect(ids(after.items).slice(0, 2)).toEqual(ids(before.items));
    expect(after.nextCursor).toEqual<EmailCursor>({ uidValidity: newValidity, lastUid: 3 });
  });

  it('answers in the thread, and the citizen’s reply to the answer joins it', async () => {
    await dovecot.createMailbox('obr', 'Thread');
    const acc = account('Thread');
    await dovecot.deliver('obr', citizenLetter(21, [], 'Снег во дворе'), 'Thread');
    const [original] = (await pullAll(acc, null)).items;

    const receipt = await connector.send(acc, {
      id: 'out-21',
      kind: 'answer',
      text: 'Снег будет убран до пятницы.',
      replyAddress: original.replyAddress,
    });
    expect(receipt.remoteId).toBe(outboundMessageId('out-21', FROM));
    expect(receipt.remoteId).toBe('out-21@inbox.gov.example.ru');

    const [mail] = smtp.accepted();
    expect(mail.from).toBe(FROM);
    expect(mail.to).toEqual(['citizen21@mail.example']);
    const headers = mail.raw.toString('latin1').split('\r\n\r\n')[0];
    expect(headers).toMatch(new RegExp(`^In-Reply-To: <${original.externalId.replace(/\./g, '\\.')}>$`, 'm'));
    expect(headers).toMatch(new RegExp(`^References: <${original.externalId.replace(/\./g, '\\.')}>$`, 'm'));
    expect(headers).toMatch(/^Message-ID: <out-21@inbox\.gov\.example\.ru>$/m);
    // Seen from the citizen's mailbox: the subject decodes to Re: <original>, threaded on the original.
    const seen = await parseEmail(mail.raw, {
      policy547: 'message-with-notice',
      maxAttachmentBytes: 1e7,
      fromAddress: 'citizen21@mail.example',
    });
    expect(seen.kind).toBe('item');
    if (seen.kind !== 'item') return;
    expect(seen.item.subject).toBe('Re: Снег во дворе');
    expect(seen.item.text).toBe('Снег будет убран до пятницы.');
    expect(seen.item.thread!.refersTo).toEqual([original.thread!.key]);

    // The citizen answers our answer.
    const reply = citizenLetter(
      22,
      [`In-Reply-To: <${receipt.remoteId}>`, `References: <${original.externalId}> <${receipt.remoteId}>`],
      'Re: Re: Снег во дворе',
      'Спасибо, но снег так и не убран.',
      21,
    );
    await dovecot.deliver('obr', reply, 'Thread');
    const next = await pullAll(acc, (await pullAll(acc, null, 1)).nextCursor);
    expect(next.items).toHaveLength(1);
    expect(next.items[0].thread!.refersTo).toContain(`msgid:${receipt.remoteId}`);
    expect(next.items[0].thread!.refersTo).toContain(original.thread!.key);
    expect(next.items[0].author.externalId).toBe('citizen21@mail.example');
  });

  it('puts no header of the citizen’s making into our letter: CR/LF in a name, a subject or a file name', async () => {
    // An attacker's letter: the display name and the subject decode to CR/LF and a header of their own.
    await dovecot.createMailbox('obr', 'Injection');
    const acc = account('Injection');
    const injected = '\r\nBcc: attacker@evil.example\r\nX-Injected: yes';
    const letter = citizenLetter(31, [], `Снег${injected}`).replace(
      /^From: .*$/m,
      `From: =?UTF-8?B?${b64(`Житель${injected}`)}?= <citizen31@mail.example>`,
    );
    await dovecot.deliver('obr', letter, 'Injection');
    const [original] = (await pullAll(acc, null)).items;
    await connector.send(acc, {
      id: 'out-31',
      kind: 'answer',
      text: 'Ответ',
      replyAddress: original.replyAddress,
      attachments: [
        { fileName: `otvet${injected}.txt`, contentType: 'text/plain', contentBase64: b64('Ответ') },
      ],
    });
    // A website appeal answered by e-mail: the name and the subject are the citizen's as typed in the form.
    await connector.send(acc, {
      id: 'out-32',
      kind: 'answer',
      subject: `Ответ${injected}`,
      text: 'Ответ',
      recipient: { email: 'citizen32@mail.example', name: `Иван${injected}` },
    });
    const mails = smtp.accepted();
    expect(mails.map((m) => m.to)).toEqual([['citizen31@mail.example'], ['citizen32@mail.example']]);
    for (const mail of mails) {
      // Unfolded, every header line is one we write; the attacker's words stay inside encoded-words.
      const head = mail.raw
        .toString('latin1')
        .split('\r\n\r\n')[0]
        .replace(/\r\n[ \t]+/g, ' ');
      expect(head).not.toMatch(/^(?:Bcc|X-Injected):/im);
      expect(head.split('\r\n').filter((l) => /attacker@evil/.test(l) && !/=\?/.test(l))).toEqual([]);
    }
  });

  it('sorts a mixed batch: a bounce of our letter, an auto-reply, broken MIME and a real letter', async () => {
    await dovecot.createMailbox('obr', 'Mixed');
    const ours = outboundMessageId('out-31', FROM);
    const bounce = [
      'From: MAILER-DAEMON@mx.mail.example (Mail Delivery System)',
      `To: ${FROM}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-31@mx.mail.example>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"',
      '',
      '--rep',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--rep',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.mail.example',
      '',
      'Final-Recipient: rfc822; gone@mail.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '',
      '--rep',
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${FROM}`,
      `Message-ID: <${ours}>`,
      'Subject: Re: x',
      '',
      '--rep--',
      '',
    ].join('\r\n');
    const vacation = citizenLetter(
      32,
      ['Auto-Submitted: auto-replied'],
      'Автоответ: Снег во дворе',
      'Я в отпуске',
    );
    const broken = [
      'Subject: no sender at all',
      'Message-ID: <broken-33@mail.example>',
      '',
      'hello',
      '',
    ].join('\r\n');
    // Past the MIME reader's thousand parts: set aside with that reason, not as broken MIME, and kept.
    const thousandFiles = [
      `From: ${FROM.replace('obr', 'sender')}`,
      'Message-ID: <parts-35@mail.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="p"',
      '',
      ...Array.from({ length: 1001 }, (_, i) => [
        '--p',
        `Content-Type: text/plain; name="f${i}.txt"`,
        '',
        `${i}`,
      ]).flat(),
      '--p--',
      '',
    ].join('\r\n');
    // Our own letter coming back: left out, on the page and in the log with its reason.
    const ownLetter = [
      `From: ${FROM}`,
      'Message-ID: <own-36@mail.example>',
      'Subject: copy',
      '',
      'x',
      '',
    ].join('\r\n');
    for (const raw of [bounce, vacation, broken, citizenLetter(34), thousandFiles, ownLetter])
      await dovecot.deliver('obr', raw, 'Mixed');

    const page = await pullAll(account('Mixed'), null);
    expect(page.items).toHaveLength(1);
    expect(page.items[0].author.email).toBe('citizen34@mail.example');
    expect(page.events).toEqual([
      expect.objectContaining({
        kind: 'delivery-state',
        externalId: 'bounce-31@mx.mail.example',
        outboundMessageId: 'out-31',
        remoteId: ours,
        state: 'failed',
      }),
    ]);
    // The auto-reply is no appeal, but staff see it, whole, among the channel's quarantined inputs.
    expect(page.skipped).toEqual([{ externalId: 'own-36@mail.example', reason: 'own-message' }]);
    expect(page.rejected).toEqual([
      {
        externalId: expect.stringMatching(/^letter-32\./),
        reason:
          'Автоответ (Auto-Submitted: auto-replied): не зарегистрирован как обращение. ' +
          'Если это письмо гражданина, зарегистрируйте его вручную.',
        raw: expect.any(String),
      },
      {
        externalId: 'broken-33@mail.example',
        reason: expect.stringMatching(/From/),
        raw: expect.any(String),
      },
      {
        externalId: expect.stringMatching(/^uid:\d+:5$/),
        reason: expect.stringMatching(/^В письме больше 1000 частей MIME .* Письмо не удалено: /),
        raw: expect.any(String),
      },
    ]);
    expect(Buffer.from(page.rejected[0].raw!, 'base64').toString()).toContain('Auto-Submitted: auto-replied');
    expect(Buffer.from(page.rejected[1].raw!, 'base64').toString()).toContain('no sender at all');
    expect(Buffer.from(page.rejected[2].raw!, 'base64').toString()).toContain('f1000.txt');
    expect(page.nextCursor.lastUid).toBe(6);

    // A letter too large to copy into the quarantine says where it is instead: the mailbox (nothing is deleted).
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const keepingLittle = new EmailConnector({
      logger: new (class extends JsonLogger {
        override write(_level: string, msg: string, fields?: Record<string, unknown>) {
          lines.push({ msg, fields });
        }
      })('email-connector'),
      maxRejectedRawBytes: 50,
    });
    const again = await keepingLittle.pull(account('Mixed'), null, 50);
    expect(again.rejected).toHaveLength(3);
    expect(lines.filter((l) => l.msg === 'e-mail message skipped').map((l) => l.fields)).toEqual([
      { accountId: expect.any(String), uid: 6, reason: 'own-message' },
    ]);
    for (const entry of again.rejected) {
      expect(entry.raw).toBeUndefined();
      expect(entry.reason).toMatch(
        /\. Исходное письмо \(\d+(,\d)? [КМ]Б\) в карантин не скопировано: оно осталось в почтовом ящике\.$/,
      );
    }
  });

  it('quarantines a letter the server refuses to give and reads the letters after it', async () => {
    await dovecot.createMailbox('obr', 'Damaged');
    await dovecot.deliver('obr', citizenLetter(61), 'Damaged');
    await dovecot.deliverUnreadable('obr', citizenLetter(62), 'Damaged');
    await dovecot.deliver('obr', citizenLetter(63), 'Damaged');
    const acc = account('Damaged');
    const uidValidity = await dovecot.uidValidity('obr', 'Damaged');

    expectMiddleRefused(await pullAll(acc, null), uidValidity, [61, 63]);

    // Paged one by one, the cursor passes the refused letter too.
    const first = await pullAll(acc, null, 1);
    const second = await pullAll(acc, first.nextCursor, 1);
    expect(second).toMatchObject({ items: [], nextCursor: { uidValidity, lastUid: 2 }, hasMore: true });
    expect(second.rejected).toHaveLength(1);
    const third = await pullAll(acc, second.nextCursor, 1);
    expect(third.items.map((i) => i.subject)).toEqual(['Обращение 63: снег во дворе']);
  });

  it('quarantines a refused letter as well when the server answers its FETCH with NO', async () => {
    const answeringNo = await startDovecot({ fetchFailure: 'no-after' });
    try {
      await answeringNo.createMailbox('obr', 'Damaged');
      await answeringNo.deliver('obr', citizenLetter(71), 'Damaged');
      await answeringNo.deliverUnreadable('obr', citizenLetter(72), 'Damaged');
      await answeringNo.deliver('obr', citizenLetter(73), 'Damaged');
      const user = answeringNo.users[0];
      const acc = account('Damaged', { imapPort: answeringNo.port });
      const page = await pullAll(
        { ...acc, secrets: { imapUser: user.user, imapPassword: user.password } },
        null,
      );
      expectMiddleRefused(page, await answeringNo.uidValidity('obr', 'Damaged'), [71, 73]);
    } finally {
      await answeringNo.stop();
    }
  });

  it('fails the pull as Temporary, quarantining nothing, when the connection is lost while letters are fetched', async () => {
    await dovecot.createMailbox('obr', 'Cut');
    for (const n of [81, 82]) await dovecot.deliver('obr', citizenLetter(n), 'Cut');
    const proxy = await startCuttingProxy(dovecot, /BODY\.PEEK\[\]/i);
    try {
      await expect(pullAll(account('Cut', { imapPort: proxy.port }), null)).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
      });
      // Cut once: no letter-by-letter reading after a lost connection.
      expect(proxy.cuts).toBe(1);
    } finally {
      await proxy.stop();
    }
    // Nothing was passed over: the same letters come once the network is back.
    const page = await pullAll(account('Cut'), null);
    expect(page.items).toHaveLength(2);
    expect(page.rejected).toEqual([]);
  });

  it('reads a letter over maxMessageBytes in part (its text cut at the limit) and stops a page at twice the limit', async () => {
    await dovecot.createMailbox('obr', 'Huge');
    // Sizes from RFC822.SIZE before any download: a few huge letters must not exhaust the worker's memory.
    const padded = (n: number, bytes: number) =>
      citizenLetter(n, [], `Обращение ${n}`, `Письмо ${n}. ${'Снег во дворе. '.repeat(bytes / 26)}`);
    await dovecot.deliver('obr', padded(61, 1_000), 'Huge');
    await dovecot.deliver('obr', padded(62, 300_000), 'Huge');
    for (const n of [63, 64, 65]) await dovecot.deliver('obr', padded(n, 70_000), 'Huge');
    const acc = account('Huge', { maxMessageBytes: 100_000 });

    const first = await pullAll(acc, null);
    expect(first.rejected).toEqual([]);
    // The 300 KB letter is read up to the limit (100 000 bytes of its text) and costs the page that much; base64
    // makes the 70 KB bodies about 97 KB each: 1 KB, 100 000 and one of them fit in 200 000, a second does not.
    expect(first.items.map((i) => i.text?.slice(0, 9))).toEqual(['Письмо 61', 'Письмо 62', 'Письмо 63']);
    const cut = first.items[1];
    expect(cut.subject).toBe('Обращение 62');
    expect(cut.author).toMatchObject({ email: 'citizen62@mail.example' });
    expect(cut.text).toMatch(/^Письмо 62\. (Снег во дворе\. )+/);
    expect(cut.text.length).toBeGreaterThan(30_000);
    expect(cut.text).toMatch(/\n\nТекст письма получен не полностью: письмо больше 0,1 МБ\.$/);
    expect(first.hasMore).toBe(true);
    const second = await pullAll(acc, first.nextCursor);
    expect(second.items.map((i) => i.text?.slice(0, 9))).toEqual(['Письмо 64', 'Письмо 65']);
    expect(second.rejected).toEqual([]);
    expect(second.hasMore).toBe(false);
  });

  it('keeps a large attachment in the mailbox and fetches it on demand', async () => {
    await dovecot.createMailbox('obr', 'Large');
    const photo = Buffer.alloc(64 * 1024, 0xab);
    const raw = [
      'From: citizen41@mail.example',
      'Message-ID: <large-41@mail.example>',
      'Subject: photo',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'see photo',
      '--b',
      'Content-Type: image/jpeg; name="yama.jpg"',
      'Content-Disposition: attachment; filename="yama.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      photo.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n');
    await dovecot.deliver('obr', raw, 'Large');
    const acc = account('Large', { maxAttachmentBytes: 1024 });
    const [item] = (await pullAll(acc, null)).items;
    expect(item.attachments).toEqual([
      {
        fileName: 'yama.jpg',
        contentType: 'image/jpeg',
        size: photo.length,
        remoteRef: expect.stringMatching(/^imap:Large:\d+:1:2$/),
      },
    ]);
    expect(item.features?.attachmentsNote).toContain('yama.jpg');
    const file = await connector.fetchAttachment(acc, item.attachments![0].remoteRef!);
    expect(file.fileName).toBe('yama.jpg');
    expect(file.content.equals(photo)).toBe(true);
  });

  it('registers the text of a letter over maxMessageBytes and names its files as not received, left in the mailbox', async () => {
    await dovecot.createMailbox('obr', 'HugeFiles');
    const video = Buffer.alloc(150_000, 0x5a);
    const scan = Buffer.alloc(2_000, 0x25);
    const cp1251 = (text: string) => encode(text, 'windows-1251').toString('base64');
    const raw = [
      `From: =?UTF-8?B?${b64('Житель 71')}?= <citizen71@mail.example>`,
      `To: ${FROM}`,
      `Subject: =?windows-1251?B?${cp1251('Свалка у дома 7')}?=`,
      'Message-ID: <huge-71@mail.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed;',
      ' boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=windows-1251',
      'Content-Transfer-Encoding: base64',
      '',
      cp1251('Во дворе дома 7 свалка, видео прилагаю, а «ёлки» — в cp1251.'),
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Во дворе дома 7 свалка</p>',
      '--alt--',
      '--outer',
      `Content-Type: video/mp4; name="=?UTF-8?B?${b64('Видео свалки.mp4')}?="`,
      'Content-Disposition: attachment',
      'Content-Transfer-Encoding: base64',
      '',
      video.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--outer',
      'Content-Type: application/pdf',
      "Content-Disposition: attachment; filename*=UTF-8''%D0%90%D0%BA%D1%82.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      scan.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--outer',
      'Content-Type: message/rfc822',
      '',
      'From: neighbour@mail.example',
      'Subject: fwd',
      '',
      'forwarded body',
      '--outer--',
      '',
    ].join('\r\n');
    await dovecot.deliver('obr', raw, 'HugeFiles');
    const acc = account('HugeFiles', { maxMessageBytes: 100_000 });

    const page = await pullAll(acc, null);
    expect(page.rejected).toEqual([]);
    expect(page.items).toHaveLength(1);
    const [item] = page.items;
    expect(item).toMatchObject({
      externalId: 'huge-71@mail.example',
      subject: 'Свалка у дома 7',
      author: { email: 'citizen71@mail.example', displayName: 'Житель 71' },
    });
    expect(item.text).toBe(
      [
        'Во дворе дома 7 свалка, видео прилагаю, а «ёлки» — в cp1251.',
        '',
        'Вложение не получено: «Видео свалки.mp4» (146 КБ)',
        'Вложение не получено: «Акт.pdf» (2 КБ)',
        'Вложение не получено: «forwarded-4.eml» (1 КБ)',
        'Письмо (0,2 МБ) больше допустимых 0,1 МБ: файлы остались в почтовом ящике.',
      ].join('\n'),
    );
    expect(item.attachments).toEqual([
      expect.objectContaining({
        fileName: 'Видео свалки.mp4',
        contentType: 'video/mp4',
        remoteRef: expect.stringMatching(/^imap:HugeFiles:\d+:1:2$/),
      }),
      expect.objectContaining({ fileName: 'Акт.pdf', remoteRef: expect.stringMatching(/:1:3$/) }),
      expect.objectContaining({ fileName: 'forwarded-4.eml', contentType: 'message/rfc822' }),
    ]);
    // Each stays in the mailbox, and can be fetched from there.
    const file = await connector.fetchAttachment(acc, item.attachments![1].remoteRef!);
    expect(file.content.equals(scan)).toBe(true);
  });

  it('registers a letter over maxMessageBytes that has files only, naming them', async () => {
    await dovecot.createMailbox('obr', 'HugeOnly');
    const raw = [
      'From: citizen72@mail.example',
      'Message-ID: <huge-72@mail.example>',
      'Subject: photo',
      'MIME-Version: 1.0',
      'Content-Type: image/jpeg; name="yama.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(120_000, 0xab).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '',
    ].join('\r\n');
    await dovecot.deliver('obr', raw, 'HugeOnly');
    const [item] = (await pullAll(account('HugeOnly', { maxMessageBytes: 100_000 }), null)).items;
    // No text part: the subject stands for the citizen's words, the note on the files follows.
    expect(item.text).toBe(
      'photo\n\nВложение не получено: «yama.jpg» (117 КБ)\nПисьмо (0,2 МБ) больше допустимых 0,1 МБ: файлы остались в почтовом ящике.',
    );
    expect(item.attachments).toEqual([
      expect.objectContaining({ fileName: 'yama.jpg', remoteRef: expect.stringMatching(/:1:1$/) }),
    ]);
  });

  describe('SMTP failures', () => {
    const answer = (id: string) => ({
      id,
      kind: 'answer' as const,
      text: 'Ответ',
      replyAddress: {
        to: 'citizen@mail.example',
        messageId: 'm1@mail.example',
        references: ['m1@mail.example'],
        subject: 'Вопрос',
      },
    });

    it.each([
      ['temp-451', ConnectorErrorCode.Temporary],
      ['greeting-421', ConnectorErrorCode.Temporary],
      ['rate-limited', ConnectorErrorCode.Temporary],
      ['malformed', ConnectorErrorCode.Temporary],
      ['reject-550', ConnectorErrorCode.NotFound],
      ['server-error', ConnectorErrorCode.InvalidPayload],
    ] as const)('%s → %s', async (scenario, code) => {
      smtp.setScenario(scenario);
      const error = await connector.send(account(), answer(`out-${scenario}`)).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ConnectorError', code });
      expect(smtp.accepted()).toHaveLength(0);
    });

    it('a slow server past the timeout is Temporary', async () => {
      smtp.setScenario('slow', { delayMs: 1500 });
      await expect(
        connector.send(account('INBOX', { timeoutMs: 300 }), answer('out-slow')),
      ).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
      });
    });

    it('a refused connection is Temporary', async () => {
      const closed = await startSmtpReceiver();
      const port = closed.port;
      await closed.stop();
      await expect(
        connector.send(account('INBOX', { smtpPort: port }), answer('out-refused')),
      ).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
      });
    });

    it('a retry after a lost response sends the same Message-ID', async () => {
      smtp.setScenario('drop-after-data');
      await expect(connector.send(account(), answer('out-lost'))).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
      });
      smtp.setScenario('ok');
      await connector.send(account(), answer('out-lost'));
      const messageIds = smtp.received.map((m) => /^Message-ID: (.*)$/m.exec(m.raw.toString('latin1'))?.[1]);
      expect(messageIds).toEqual(['<out-lost@inbox.gov.example.ru>', '<out-lost@inbox.gov.example.ru>']);
    });

    it('a connection cut after the whole letter went out leaves the outcome unknown; one cut before it does not', async () => {
      smtp.setScenario('drop-after-data');
      await expect(connector.send(account(), answer('out-cut-after'))).rejects.toMatchObject({
        code: ConnectorErrorCode.Temporary,
        details: { outcomeUnknown: true },
      });
      // The server died with the letter: as unknown to us as a lost reply.
      smtp.setScenario('lost-in-data');
      await expect(connector.send(account(), answer('out-lost-in-data'))).rejects.toMatchObject({
        details: { outcomeUnknown: true },
      });
      // Refused at RCPT, or no greeting in time: the letter never went, and a retry is safe.
      smtp.setScenario('rate-limited');
      const refused = await connector.send(account(), answer('out-rcpt')).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: ConnectorErrorCode.Temporary });
      expect((refused as { details: { outcomeUnknown?: boolean } }).details.outcomeUnknown).toBeFalsy();
      smtp.setScenario('slow', { delayMs: 1500 });
      const slow = await connector
        .send(account('INBOX', { timeoutMs: 300 }), answer('out-slow-greeting'))
        .catch((e: unknown) => e);
      expect((slow as { details: { outcomeUnknown?: boolean } }).details.outcomeUnknown).toBeFalsy();
    });

    it('looks a letter up in the Sent folder by its Message-ID: found is sent, absent is unknown unless the provider files what its SMTP accepts', async () => {
      await dovecot.createMailbox('obr', 'Sent');
      // The provider files what its SMTP server accepts into Sent, as Yandex or Mail.ru do.
      smtp.onAccepted = (mail) => dovecot.deliver('obr', mail.raw, 'Sent');
      smtp.setScenario('drop-after-data');
      await expect(connector.send(account(), answer('out-in-sent'))).rejects.toMatchObject({
        details: { outcomeUnknown: true },
      });
      const found = await connector.lookUpSent(account(), { id: 'out-in-sent' });
      expect(found).toEqual({
        kind: 'sent',
        receipt: { remoteId: 'out-in-sent@inbox.gov.example.ru', sentAt: expect.any(String) },
      });
      // A neighbour whose id the first one's begins with is not mistaken for it.
      expect(await connector.lookUpSent(account(), { id: 'out-in' })).toMatchObject({ kind: 'unknown' });
      smtp.setScenario('lost-in-data');
      await connector.send(account(), answer('out-never-kept')).catch(() => undefined);
      expect(await connector.lookUpSent(account(), { id: 'out-never-kept' })).toMatchObject({
        kind: 'unknown',
      });
      expect(
        await connector.lookUpSent(account('INBOX', { smtpSavesToSent: true }), { id: 'out-never-kept' }),
      ).toEqual({ kind: 'not-sent' });
      // A folder named in the settings that is not there: the lookup cannot work until someone fixes it.
      await expect(
        connector.lookUpSent(account('INBOX', { sentMailbox: 'Отправленные' }), { id: 'out-in-sent' }),
      ).rejects.toMatchObject({ code: ConnectorErrorCode.NotFound });
    });

    it('a mailbox without a Sent folder cannot tell', async () => {
      const other = dovecot.users[1];
      const acc = { ...account(), secrets: { imapUser: other.user, imapPassword: other.password } };
      expect(await connector.lookUpSent(acc, { id: 'out-anything' })).toMatchObject({ kind: 'unknown' });
      expect(
        await connector.lookUpSent(
          { ...acc, settings: { ...acc.settings, smtpSavesToSent: true } },
          {
            id: 'out-anything',
          },
        ),
      ).toMatchObject({ kind: 'unknown' });
    });

    it('dot-unstuffs a body line that starts with a dot', async () => {
      await connector.send(account(), { ...answer('out-dots'), text: '.hidden line\n..two dots\nend' });
      const [mail] = smtp.accepted();
      const body = mail.raw.toString('utf8').split('\r\n\r\n').slice(1).join('\r\n\r\n');
      expect(body).toContain('.hidden line\r\n..two dots\r\nend');
    });
  });

  // Last: after a failed login dovecot's anvil delays the next logins from the same IP by seconds.
  it('says a wrong IMAP password is AuthFailed', async () => {
    const wrong = account();
    wrong.secrets = { ...wrong.secrets, imapPassword: 'wrong' };
    await expect(connector.check(wrong)).rejects.toMatchObject({ code: ConnectorErrorCode.AuthFailed });
    await expect(connector.pull(wrong, null, 10)).rejects.toMatchObject({
      code: ConnectorErrorCode.AuthFailed,
    });
  });
});
