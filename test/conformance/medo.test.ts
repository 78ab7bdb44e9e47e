import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { JsonLogger } from '@inbox/common';
import { type InboundItem } from '@inbox/integrations/contract';
import { MEDO_REFUSAL_REASONS, MedoConnector } from '@inbox/integrations/medo';
import {
  acknowledgmentPassport,
  binaryFile,
  documentPackage,
  documentPassport,
  type DocumentSpec,
  encodeXml,
  FakeMedoGateway,
  notificationPassport,
  OUR_ORGANISATION,
  OUR_PASSPORT_XSD,
  OUR_UID,
  signatureFile,
  validateAgainstXsd,
} from '../fakes/medo';
import { MATERIAL } from './material';

/**
 * МЭДО against the official schema IEDMS-2.6.xsd: what our connector writes, what our fake gateway delivers,
 * and the lists we keep in code and in our own schema (test/fakes/medo/outbound-passport.xsd).
 */
const official = (xml: string | Buffer) => validateAgainstXsd(xml, MATERIAL.medoXsd);
const enumeration = (xsd: string, type: string) => {
  const block = new RegExp(`<xs[d]?:simpleType name="${type}">([\\s\\S]*?)</xs[d]?:simpleType>`).exec(xsd);
  return [...(block?.[1] ?? '').matchAll(/<xs[d]?:enumeration value="([^"]+)"/g)].map((m) => m[1]);
};
const officialXsd = () => iconv.decode(readFileSync(MATERIAL.medoXsd), 'win1251');

const MINZDRAV = {
  uid: '7c0f5d2e-1a4b-4c3d-8e9f-0a1b2c3d4e5f',
  organisation: 'Министерство здравоохранения Российской Федерации',
};

function letterSpec(overrides: Partial<DocumentSpec> = {}): DocumentSpec {
  return {
    version: '2.6',
    encoding: 'utf-8',
    headerUid: randomUUID(),
    documentUid: randomUUID(),
    source: MINZDRAV,
    kind: 'Письмо',
    number: '17-4/И/2-3456',
    date: '2025-03-12',
    annotation: 'О направлении обращения по вопросу ремонта дороги (ст. 8 59-ФЗ)',
    addressee: { uid: OUR_UID, organisation: OUR_ORGANISATION },
    files: [
      {
        name: 'Письмо.pdf',
        data: binaryFile('letter'),
        group: 'Текст документа',
        signature: { name: 'Письмо.pdf.p7s', data: signatureFile() },
      },
    ],
    ...overrides,
  };
}

describe('МЭДО: what we write passes the official schema', () => {
  let gateway: FakeMedoGateway;
  const connector = new MedoConnector({ logger: new JsonLogger('medo-conformance', 'error') });

  beforeEach(async () => {
    gateway = await FakeMedoGateway.create();
  });
  afterEach(async () => {
    await gateway.close();
  });

  async function receiveLetter(): Promise<InboundItem> {
    const spec = letterSpec();
    await gateway.deliverFolder(`${spec.headerUid}_${MINZDRAV.uid}`, documentPackage(spec));
    const [item] = (await connector.pull(gateway.account(), null, 10)).items;
    return item;
  }

  it('«Документ» answering a letter, with attachments', async () => {
    const item = await receiveLetter();
    await connector.send(gateway.account(), {
      id: randomUUID(),
      kind: 'answer',
      subject: 'О рассмотрении обращения',
      text: 'Уважаемые коллеги!\nСообщаем о включении ремонта в план.',
      replyAddress: item.replyAddress,
      references: { registrationNumber: '01-15/2025-ОГ', externalId: item.externalId },
      attachments: [
        {
          fileName: 'План работ.pdf',
          contentType: 'application/pdf',
          contentBase64: binaryFile('plan').toString('base64'),
        },
      ],
    });
    const [pkg] = await gateway.outbound();
    expect(await official(pkg.files.get('passport.xml')!)).toEqual({
      valid: true,
      output: expect.stringContaining('validates'),
    });
  });

  it('«Квитанция» and «Уведомление» «Зарегистрирован»', async () => {
    const item = await receiveLetter();
    await connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
      registered: true,
      number: '01-15/2025-ОГ',
      date: '2025-03-17',
    });
    const packages = await gateway.outbound();
    expect(packages).toHaveLength(2);
    for (const pkg of packages) expect(await official(pkg.passport)).toMatchObject({ valid: true });
  });

  it('«Отказано в регистрации» with every reason we offer', async () => {
    for (const reason of MEDO_REFUSAL_REASONS) {
      const item = await receiveLetter();
      const result = await connector.acknowledgeReceipt(gateway.account(), item.replyAddress, {
        registered: false,
        reason,
        comment: 'Комментарий',
      });
      const notice = (await gateway.outbound()).find((p) => p.name.startsWith(result.notificationUid))!;
      expect({ reason, ...(await official(notice.passport)) }).toMatchObject({ reason, valid: true });
    }
  });
});

describe('МЭДО: the closed lists we keep match the official schema', () => {
  it('refusal reasons, in code and in our own schema', () => {
    const reasons = enumeration(officialXsd(), 'reasonForRejection');
    expect(reasons.length).toBeGreaterThan(10);
    expect([...MEDO_REFUSAL_REASONS]).toEqual(reasons);
    expect(enumeration(readFileSync(OUR_PASSPORT_XSD, 'utf8'), 'RefusalReason')).toEqual(reasons);
  });

  it('link types, file groups and message types of our schema are the official ones', () => {
    const ours = readFileSync(OUR_PASSPORT_XSD, 'utf8');
    const xsd = officialXsd();
    for (const [our, theirs] of [
      ['LinkType', 'linkType'],
      ['FileGroup', 'fileGroup'],
      ['MessageType', 'messageType'],
    ]) {
      expect(new Set(enumeration(xsd, theirs))).toEqual(new Set(enumeration(ours, our)));
    }
  });
});

describe('МЭДО: what our fake gateway delivers passes the official schema', () => {
  it('«Документ» passports as other bodies write them, windows-1251 and UTF-8', async () => {
    expect(
      await official(encodeXml(documentPassport(letterSpec({ encoding: 'windows-1251' })), 'windows-1251')),
    ).toMatchObject({ valid: true });
    expect(await official(documentPassport(letterSpec()))).toMatchObject({ valid: true });
    // …and the schema does catch a deviation (bare attributes where it wants them qualified).
    expect((await official(documentPassport(letterSpec({ style: 'default-namespace' })))).valid).toBe(false);
  });

  it('notifications and receipts about our letters', async () => {
    const documentUid = randomUUID();
    const passports = [
      notificationPassport({
        source: MINZDRAV,
        documentUid,
        type: 'Зарегистрирован',
        number: '1-ОГ',
        date: '2025-03-20',
      }),
      notificationPassport({
        source: MINZDRAV,
        documentUid,
        type: 'Отказано в регистрации',
        reason: 'Ошибка адресации',
      }),
      notificationPassport({ source: MINZDRAV, documentUid, type: 'Назначен исполнитель' }),
      acknowledgmentPassport({ source: MINZDRAV, acknowledgedUid: documentUid, accepted: true }),
      acknowledgmentPassport({
        source: MINZDRAV,
        acknowledgedUid: documentUid,
        accepted: false,
        comment: 'Нет файла',
      }),
    ];
    for (const passport of passports) {
      const bytes = passport.includes('encoding="windows-1251"')
        ? iconv.encode(passport, 'win1251')
        : passport;
      expect(await official(bytes)).toMatchObject({ valid: true });
    }
  });
});
