import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { settingsOf } from './settings';
import { uuidV5 } from './uuid';

const base = {
  inboundDir: '/srv/medo/in',
  outboundDir: '/srv/medo/out',
  quarantineDir: '/srv/medo/quarantine',
  processedDir: '/srv/medo/processed',
  ourParticipantUid: '0D5E3C1A-7B2F-4E8A-9C61-3F0B2A4D5E6F',
  ourOrganisationName: 'Правительство области',
};
const account = (settings: Record<string, unknown>) => ({
  id: 'a',
  channel: Channel.Medo,
  settings,
  secrets: {},
});

describe('settingsOf', () => {
  it('applies the defaults', () => {
    expect(settingsOf(account(base))).toMatchObject({
      ourParticipantUid: '0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f',
      maxPackageBytes: 50 * 1024 * 1024,
      maxUnzippedBytes: 200 * 1024 * 1024,
      maxFiles: 200,
      settleMs: 5000,
      timeZone: 'Europe/Moscow',
    });
    expect(settingsOf(account({ ...base, maxFiles: '10' })).maxFiles).toBe(10);
  });

  it.each([
    [{ inboundDir: undefined }, 'inboundDir'],
    [{ inboundDir: 'relative/in' }, 'inboundDir'],
    [{ processedDir: '/srv/medo/in' }, 'processedDir'],
    [{ ourParticipantUid: 'abc' }, 'ourParticipantUid'],
    [{ ourOrganisationName: ' ' }, 'ourOrganisationName'],
    [{ maxFiles: 0 }, 'maxFiles'],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
  ])('refuses %o', (patch, field) => {
    let error: unknown;
    try {
      settingsOf(account({ ...base, ...patch }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe(ConnectorErrorCode.AuthFailed);
    expect((error as ConnectorError).details.fields).toHaveProperty([field]);
    // The administrator reads it as is (the account's last error): Russian, the setting by label and key.
    expect((error as ConnectorError).details.toAdministrator).toBe(true);
    expect((error as ConnectorError).message).toMatch(
      new RegExp(`^МЭДО не настроен: «[А-ЯЁ][^»]+» \\(${field}\\): `),
    );
    expect((error as ConnectorError).message).not.toMatch(/required|must|is not/);
  });

  it('names every problem at once, in Russian', () => {
    let error: unknown;
    try {
      settingsOf(
        account({ ...base, inboundDir: 'in', ourParticipantUid: '', maxFiles: -1, timeZone: 'MSK+1' }),
      );
    } catch (e) {
      error = e;
    }
    expect((error as ConnectorError).message).toBe(
      'МЭДО не настроен: «Входящие пакеты» (inboundDir): укажите полный путь к папке (от корня, «/…»); ' +
        '«Наш UID участника» (ourParticipantUid): GUID участника МЭДО, например ' +
        '0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f; «Часовой пояс» (timeZone): часовой пояс IANA, например ' +
        'Europe/Moscow или Asia/Novosibirsk; «Наибольшее число файлов в пакете» (maxFiles): укажите число не ' +
        'меньше 1',
    );
    expect(Object.keys((error as ConnectorError).details.fields ?? {})).toEqual([
      'inboundDir',
      'ourParticipantUid',
      'timeZone',
      'maxFiles',
    ]);
  });
});

describe('uuidV5', () => {
  it('matches the RFC 4122 name-based UUID', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(uuidV5('a')).toBe(uuidV5('a'));
    expect(uuidV5('a')).not.toBe(uuidV5('b'));
  });
});
