import { randomUUID } from 'node:crypto';
import {
  acknowledgmentPassport,
  documentPassport,
  notificationPassport,
} from '../../../test/fakes/medo/packages';
import { PackageRejected } from './errors';
import { normaliseDate, parseContainerDescription, parsePassport } from './passport';

const SOURCE = { uid: '7C0F5D2E-1A4B-4C3D-8E9F-0A1B2C3D4E5F', organisation: 'Минздрав России' };

function rejection(fn: () => unknown): PackageRejected {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PackageRejected);
    return error as PackageRejected;
  }
  throw new Error('expected a rejection');
}

describe('parsePassport', () => {
  const headerUid = randomUUID();
  const documentUid = randomUUID();
  const linkUid = randomUUID();
  const spec = {
    headerUid,
    documentUid,
    source: SOURCE,
    kind: 'Письмо',
    number: '01/1',
    date: '2025-03-12',
    annotation: 'О переадресации & «обращении»',
    addressee: { uid: randomUUID(), organisation: 'Правительство области' },
    links: [{ uid: linkUid, type: 'В ответ на', number: '5', date: '2025-01-01' }],
    files: [
      { name: 'a.pdf', data: Buffer.from(''), signature: { name: 'a.pdf.p7s', data: Buffer.from('') } },
      { name: 'b.pdf', data: Buffer.from(''), group: 'Текст приложения' as const },
    ],
  };

  it.each(['prefixed', 'default-namespace'] as const)('reads a «Документ» passport (%s)', (style) => {
    const message = parsePassport(documentPassport({ ...spec, style }));
    expect(message).toMatchObject({
      kind: 'document',
      header: {
        version: '2.6',
        type: 'document',
        uid: headerUid,
        created: '2025-03-14T07:15:00.000Z',
        source: { uid: SOURCE.uid.toLowerCase(), organisation: 'Минздрав России' },
      },
      document: {
        uid: documentUid,
        kind: 'Письмо',
        number: '01/1',
        date: '2025-03-12',
        annotation: 'О переадресации & «обращении»',
        links: [{ uid: linkUid, linkType: 'В ответ на', number: '5', date: '2025-01-01' }],
        files: [
          { localName: 'a.pdf', group: 'Текст документа', signatures: ['a.pdf.p7s'] },
          { localName: 'b.pdf', group: 'Текст приложения', signatures: [] },
        ],
      },
    });
  });

  it('reads any namespace prefix, and element order does not matter', () => {
    const text = documentPassport({ ...spec, reverseOrder: true }).replace(/xdms:/g, 'ns0:');
    expect(parsePassport(text)).toMatchObject({ kind: 'document', document: { number: '01/1' } });
  });

  it('falls back to the package GUID for a missing header uid, and to the header uid for the document', () => {
    const text = documentPassport(spec)
      .replace(` xdms:uid="${headerUid}"`, '')
      .replace(`<xdms:document xdms:uid="${documentUid}">`, '<xdms:document>');
    const fallback = randomUUID();
    expect(parsePassport(text, fallback)).toMatchObject({
      header: { uid: fallback },
      document: { uid: fallback, uidFromHeader: true },
    });
    expect(rejection(() => parsePassport(text)).code).toBe('missing-field');
  });

  it.each([
    ['3.0', 'unknown-version'],
    ['1.0', 'unknown-version'],
    ['2.7.1', 'unknown-version'],
    ['2', 'unknown-version'],
    ['два', 'unknown-version'],
  ])('rejects version %s', (version, code) => {
    const error = rejection(() => parsePassport(documentPassport({ ...spec, version })));
    expect(error).toMatchObject({ code, externalId: headerUid });
  });

  it.each([
    ['2.1', '2.2'],
    ['2.8', '2.7'],
    ['2.10', '2.7'],
  ])('reads version %s of the same family as %s, with a note', (version, nearest) => {
    const message = parsePassport(documentPassport({ ...spec, version }));
    expect(message).toMatchObject({ kind: 'document', header: { version, uid: headerUid } });
    expect(message.header.versionNote).toContain(`прочитан по версии ${nearest}`);
    expect(parsePassport(documentPassport(spec)).header.versionNote).toBeUndefined();
  });

  it.each([
    [' 2.5 ', '2.5'],
    ['2,5', '2.5'],
    ['v2.6', '2.6'],
    ['2.5.0', '2.5'],
  ])('reads version «%s» as %s, without a note', (written, version) => {
    const message = parsePassport(documentPassport({ ...spec, version: written }));
    expect(message.header).toMatchObject({ version, uid: headerUid });
    expect(message.header.versionNote).toBeUndefined();
  });

  it('reads a <communication> that names no version as the 2.x schema, and says so for the clerk', () => {
    const text = documentPassport({ ...spec, version: '2.6' }).replace(/ (?:xdms:)?version="2\.6"/, '');
    expect(text).not.toMatch(/<[^>]*communication[^>]*version=/);
    const message = parsePassport(text);
    expect(message).toMatchObject({ kind: 'document', document: { number: '01/1' } });
    expect(message.header.version).toBeUndefined();
    expect(message.header.versionNote).toBe(
      'В паспорте МЭДО не указана версия (атрибут version): прочитан по схеме версий 2.2–2.7, сверьте реквизиты с файлами пакета',
    );
  });

  it('reads a created instant written day first, in Moscow time when it has no zone', () => {
    const at = (created: string) => parsePassport(documentPassport({ ...spec, created })).header.created;
    expect(at('14.03.2025 10:15')).toBe('2025-03-14T07:15:00.000Z');
    expect(at('2025-03-14T10:15:00+0700')).toBe('2025-03-14T03:15:00.000Z');
    expect(at('2025-03-14 10:15:00')).toBe('2025-03-14T07:15:00.000Z');
    expect(at('когда-то')).toBeUndefined();
  });

  it('rejects an unknown message type, a foreign root, a DOCTYPE and broken XML', () => {
    expect(
      rejection(() => parsePassport(documentPassport(spec).replace('"Документ"', '"Письмо"'))).code,
    ).toBe('unknown-type');
    expect(rejection(() => parsePassport('<?xml version="1.0"?><root/>')).code).toBe('missing-passport');
    expect(
      rejection(() =>
        parsePassport('<!DOCTYPE x [<!ENTITY a "aaaa">]><communication version="2.6">&a;</communication>'),
      ).code,
    ).toBe('bad-xml');
    expect(rejection(() => parsePassport(documentPassport(spec).slice(0, 300))).code).toBe('bad-xml');
  });

  it('reads notifications, inferring the type from the event element when the attribute is missing', () => {
    const uid = randomUUID();
    const accepted = notificationPassport({
      source: SOURCE,
      documentUid: uid,
      type: 'Зарегистрирован',
      number: '77',
      date: '2025-03-20',
    });
    expect(parsePassport(accepted)).toMatchObject({
      kind: 'notification',
      notification: { type: 'Зарегистрирован', documentUid: uid, number: '77', date: '2025-03-20' },
    });
    const noType = accepted.replace(' xdms:type="Зарегистрирован"', '');
    expect(parsePassport(noType)).toMatchObject({ notification: { type: 'Зарегистрирован' } });
    // An element every object has a property of is no event: the type was a function, not a word.
    for (const name of ['constructor', 'toString', '__proto__']) {
      const forged = noType.replace(/documentAccepted/g, name);
      expect(rejection(() => parsePassport(forged)).message).toMatch(/notification type/);
    }
    const refused = notificationPassport({
      source: SOURCE,
      documentUid: uid,
      type: 'Отказано в регистрации',
      reason: 'Нет подписи',
    });
    expect(parsePassport(refused)).toMatchObject({
      notification: { type: 'Отказано в регистрации', reason: 'Нет подписи' },
    });
  });

  it('reads receipts; a receipt is accepted unless it says false', () => {
    const uid = randomUUID();
    expect(
      parsePassport(acknowledgmentPassport({ source: SOURCE, acknowledgedUid: uid, accepted: false })),
    ).toMatchObject({
      kind: 'acknowledgment',
      acknowledgment: { messageUid: uid, accepted: false, time: '2025-03-20T07:00:00.000Z' },
    });
    const silent = acknowledgmentPassport({ source: SOURCE, acknowledgedUid: uid, accepted: true }).replace(
      /<xdms:accepted>true<\/xdms:accepted>/,
      '',
    );
    expect(parsePassport(silent)).toMatchObject({ acknowledgment: { accepted: true } });
  });
});

describe('parseContainerDescription', () => {
  it('reads the 2.7 description attributes and classifies the files it names', () => {
    const uid = randomUUID();
    const text = `<?xml version="1.0" encoding="utf-8"?>
<c:container xmlns:c="http://minsvyaz.ru/container" c:uid="${uid}" c:version="1.0">
  <c:requisites><c:documentKind>Письмо</c:documentKind><c:annotation>О деле</c:annotation></c:requisites>
  <c:authors><c:author>
    <c:organization><c:title>Минтранс России</c:title></c:organization>
    <c:registration><c:number>ИС-1</c:number><c:date>2025-03-05</c:date></c:registration>
    <c:sign><c:documentSignature c:localName="d.sig"><c:signatureStamp c:localName="s.png"/></c:documentSignature></c:sign>
  </c:author></c:authors>
  <c:document c:localName="d.pdf"/>
  <c:attachments><c:attachment c:localName="a.pdf"/></c:attachments>
</c:container>`;
    expect(parseContainerDescription(text)).toEqual({
      uid,
      kind: 'Письмо',
      annotation: 'О деле',
      senderOrganisation: 'Минтранс России',
      number: 'ИС-1',
      date: '2025-03-05',
      addressees: [],
      files: [
        { localName: 'd.sig', role: 'signature' },
        { localName: 's.png', role: 'stamp' },
        { localName: 'd.pdf', role: 'document' },
        { localName: 'a.pdf', role: 'attachment' },
      ],
    });
  });
});

describe('normaliseDate', () => {
  it.each([
    ['2025-03-12', '2025-03-12'],
    ['2025-03-12+03:00', '2025-03-12'],
    ['2025-03-12T00:00:00', '2025-03-12'],
    ['12.03.2025', '2025-03-12'],
    ['1.3.2025', '2025-03-01'],
    ['вчера', 'вчера'],
  ])('%s → %s', (input, output) => expect(normaliseDate(input)).toBe(output));
});
