import {
  buildAcknowledgmentPassport,
  buildDocumentPassport,
  buildNotificationPassport,
  isRefusalReason,
  MEDO_REFUSAL_REASONS,
} from './passport-writer';
import { parsePassport } from './passport';

const US = { uid: '0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f', organisation: 'Правительство «Н» & Ко' };
const THEM = { uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f', organisation: 'Минздрав России' };
const UID = '11111111-2222-4333-8444-555555555555';
const NOW = new Date('2025-03-17T09:30:00.123Z');

describe('passport builders', () => {
  const document = () =>
    buildDocumentPassport({
      headerUid: UID,
      created: NOW,
      source: US,
      destination: THEM,
      document: {
        uid: UID,
        kind: 'Письмо',
        number: '01-15/2025',
        date: '2025-03-17',
        annotation: 'Ответ <по существу>',
        signatory: { organisation: US.organisation, signed: '2025-03-17' },
        pages: 1,
        links: [],
      },
      files: [{ localName: 'answer.txt', group: 'Текст документа' }],
    });

  it('qualifies every attribute, escapes text and writes no empty elements', () => {
    const xml = document();
    expect(xml).toContain(
      '<xdms:communication xdms:version="2.6" xmlns:xdms="http://www.infpres.com/IEDMS">',
    );
    expect(xml).toContain('xdms:created="2025-03-17T09:30:00Z"');
    expect(xml).toContain('<xdms:organization>Правительство «Н» &amp; Ко</xdms:organization>');
    expect(xml).toContain('<xdms:annotation>Ответ &lt;по существу&gt;</xdms:annotation>');
    expect(xml).not.toMatch(/ (uid|type|localName)=/);
    expect(xml).not.toMatch(/<xdms:(\w+)[^>]*><\/xdms:\1>/);
    expect(xml).not.toContain('<xdms:post>');
    expect(xml).not.toContain('<xdms:links>');
  });

  it('writes what our own reader reads back', () => {
    expect(parsePassport(document())).toMatchObject({
      kind: 'document',
      header: { uid: UID, source: { uid: US.uid, organisation: US.organisation } },
      document: { number: '01-15/2025', date: '2025-03-17', files: [{ localName: 'answer.txt' }] },
    });
    const ack = buildAcknowledgmentPassport({
      headerUid: UID,
      created: NOW,
      source: US,
      destination: THEM,
      acknowledgedUid: THEM.uid,
      time: NOW,
      accepted: true,
    });
    expect(parsePassport(ack)).toMatchObject({
      kind: 'acknowledgment',
      acknowledgment: { messageUid: THEM.uid, accepted: true },
    });
    const refused = buildNotificationPassport({
      headerUid: UID,
      created: NOW,
      source: US,
      destination: THEM,
      documentUid: THEM.uid,
      time: NOW,
      result: { registered: false, reason: 'Документ ДСП' },
    });
    expect(parsePassport(refused)).toMatchObject({
      notification: { type: 'Отказано в регистрации', reason: 'Документ ДСП', documentUid: THEM.uid },
    });
  });

  it('knows the closed list of refusal reasons', () => {
    expect(MEDO_REFUSAL_REASONS).toHaveLength(28);
    expect(isRefusalReason('Не подлежит регистрации')).toBe(true);
    expect(isRefusalReason('не подлежит регистрации')).toBe(false);
  });
});
