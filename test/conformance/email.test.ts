import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEmail, type ParseContext } from '@inbox/integrations/email';
import { MATERIAL } from './material';
import { FIXTURES } from './shape';

/** Real KOI8-R and windows-1251 letters (Thunderbird's MIME test fixtures), against our parser and fixtures. */
const ctx: ParseContext = {
  policy547: 'message-with-notice',
  maxAttachmentBytes: 10 * 1024 * 1024,
  fromAddress: 'obr@gov.example.ru',
  mailbox: 'INBOX',
  uidValidity: 1700000000,
  uid: 7,
  receivedAt: new Date('2025-04-01T09:00:00Z'),
};

async function itemOf(raw: Buffer, context: Partial<ParseContext> = {}) {
  const result = await parseEmail(raw, { ...ctx, ...context });
  if (result.kind !== 'item') throw new Error(`expected an item, got ${JSON.stringify(result)}`);
  return result.item;
}

/** Header names in order, and how the body is encoded: the shape of a letter. */
function letterShape(raw: Buffer): { headers: string[]; charset: string; encoding: string; lineEnd: string } {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.search(/\r?\n\r?\n/));
  return {
    headers: head
      .split(/\r?\n/)
      .map((l) => l.split(':')[0])
      .filter((name) => name !== 'Newsgroups'),
    charset: /charset=([\w-]+)/i.exec(head)?.[1]?.toLowerCase() ?? '',
    encoding: /Content-Transfer-Encoding: (\S+)/i.exec(head)?.[1] ?? '',
    lineEnd: text.includes('\r\n') ? 'CRLF' : 'LF',
  };
}

describe('e-mail: real Cyrillic letters', () => {
  it.each([
    ['sample04_koi8r.eml', '04.eml@mime.sample'],
    ['sample05_windows1251.eml', '05.eml@mime.sample'],
  ])('decodes the subject and body of %s', async (file, messageId) => {
    const item = await itemOf(readFileSync(join(MATERIAL.email, file)));
    expect(item).toMatchObject({
      subject: 'Алфавит',
      text: 'Вопрос',
      externalId: messageId,
      author: {
        externalId: 'new@thunderbird.bug',
        displayName: 'Bug Reporter',
        email: 'new@thunderbird.bug',
      },
    });
    const dated = await itemOf(readFileSync(join(MATERIAL.email, file)), { receivedAt: undefined });
    expect(dated.receivedAt).toBe('2001-05-27T20:23:35.000Z');
  });

  it.each([
    ['sample04_koi8r.eml', 'koi8-r', 'windows-1251'],
    ['sample05_windows1251.eml', 'windows-1251', 'koi8-r'],
  ])('reads %s (%s) labelled %s, subject and body, by its letters', async (file, actual, label) => {
    const relabelled = readFileSync(join(MATERIAL.email, file), 'latin1').replaceAll(actual, label);
    expect(relabelled).not.toContain(actual);
    const item = await itemOf(Buffer.from(relabelled, 'latin1'));
    expect(item).toMatchObject({ subject: 'Алфавит', text: 'Вопрос' });
  });

  it.each([
    ['koi8r.eml', 'sample04_koi8r.eml'],
    ['windows1251.eml', 'sample05_windows1251.eml'],
  ])('our %s has the shape of %s', (ours, theirs) => {
    expect(letterShape(readFileSync(join(FIXTURES, 'email', ours)))).toEqual(
      letterShape(readFileSync(join(MATERIAL.email, theirs))),
    );
  });
});
