import { type ConnectorKind } from '@inbox/integrations/contract';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldersOutsideProblem, internalTargetProblem } from './internal-targets';

describe('internalTargetProblem', () => {
  const refused = async (
    settings: Record<string, unknown>,
    allowed: string[] = [],
    kind: ConnectorKind = 'pos',
  ) =>
    (await internalTargetProblem(kind, settings, allowed))?.match(
      /^Адрес во внутренней сети \(.+?\): (.+)\. Учётная запись туда не обращается/,
    )?.[1];

  it('refuses this machine, private and link-local networks, in any spelling, and names that resolve there, by setting', async () => {
    for (const [url, host] of [
      ['http://127.0.0.1:6379/', '127.0.0.1'],
      ['http://2130706433:5432/', '127.0.0.1'],
      ['http://0x7f.1/', '127.0.0.1'],
      ['http://[::1]:3000/', '::1'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://10.1.2.3/', '10.1.2.3'],
      ['http://100.64.0.1/', '100.64.0.1'],
      ['http://[fd00::1]/', 'fd00::1'],
      ['http://0.0.0.0:3000/', '0.0.0.0'],
      ['http://localhost:3000/', 'localhost'],
    ])
      expect([url, await refused({ baseUrl: url })]).toEqual([url, `«Адрес ПОС» (baseUrl) — ${host}`]);
    expect(await refused({ imapHost: '192.168.1.5', smtpHost: 'localhost' }, [], 'email')).toBe(
      '«IMAP-сервер» (imapHost) — 192.168.1.5, «SMTP-сервер» (smtpHost) — localhost',
    );
    // A host as typed into a host field (no URL to normalise it): the resolver reads 0xa9fea9fe as 169.254.169.254.
    expect(await refused({ imapHost: '0xA9FEA9FE', smtpHost: '[::ffff:10.0.0.1]' }, [], 'email')).toBe(
      '«IMAP-сервер» (imapHost) — 0xa9fea9fe, «SMTP-сервер» (smtpHost) — ::ffff:10.0.0.1',
    );
    // OK's two addresses, each by its own field.
    expect(
      await refused(
        { apiBaseUrl: 'https://203.0.113.10/graph', restUrl: 'http://2852039166/fb.do' },
        [],
        'ok',
      ),
    ).toBe('«Адрес REST API (стена)» (restUrl) — 169.254.169.254');
    expect(
      await refused(
        { url: 'https://203.0.113.9/feed', attachmentHosts: ['10.0.0.1'] },
        [],
        'website-feed' as never,
      ),
    ).toBe('«Узлы файлов» (attachmentHosts) — 10.0.0.1');
  });

  it('lets through a public address, and an internal host CHANNEL_INTERNAL_HOSTS names (exactly that host)', async () => {
    expect(await refused({ baseUrl: 'https://203.0.113.10/api' })).toBeUndefined();
    expect(await refused({ baseUrl: 'http://localhost:3000/' }, ['localhost'])).toBeUndefined();
    expect(await refused({ baseUrl: 'http://[::1]:3000/' }, ['::1'])).toBeUndefined();
    // Naming this machine by one name does not let another spelling of it through.
    expect(await refused({ baseUrl: 'http://127.0.0.1:6379/' }, ['localhost'])).toBe(
      '«Адрес ПОС» (baseUrl) — 127.0.0.1',
    );
  });
});

describe('foldersOutsideProblem', () => {
  const root = mkdtempSync(join(tmpdir(), 'medo-root-'));
  mkdirSync(join(root, 'in'));
  symlinkSync('/etc', join(root, 'etc-link'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const outside = async (settings: Record<string, unknown>, roots = [root]) =>
    (await foldersOutsideProblem('medo', settings, roots))?.match(/^Папки МЭДО (.+) — вне/)?.[1];

  it('keeps an administrator’s МЭДО folders inside MEDO_ACCOUNT_ROOTS, links and «..» resolved', async () => {
    expect(
      await outside({ inboundDir: join(root, 'in'), outboundDir: join(root, 'out/new') }),
    ).toBeUndefined();
    expect(await outside({ inboundDir: '/etc', outboundDir: join(root, 'out') })).toBe('/etc');
    expect(await outside({ inboundDir: `${root}/in/../../../var/lib/postgresql` })).toBe(
      `${root}/in/../../../var/lib/postgresql`,
    );
    // A link inside the root that leads out of it, and a folder not made yet beneath such a link.
    expect(
      await outside({ inboundDir: join(root, 'etc-link'), processedDir: join(root, 'etc-link/x') }),
    ).toBe(`${join(root, 'etc-link')}, ${join(root, 'etc-link/x')}`);
    // No roots named (production's default): no folder at all.
    expect(await outside({ inboundDir: join(root, 'in') }, [])).toBe(join(root, 'in'));
    // A relative folder is the connector's to name; another kind has no folders.
    expect(await outside({ inboundDir: 'medo/in' }, [])).toBeUndefined();
    expect(await foldersOutsideProblem('pos', { inboundDir: '/etc' }, [])).toBeUndefined();
  });
});
