import {
  changedSecretBearingSettings,
  checkAccount,
  namedSecretHostProblem,
  officialChannelHosts,
} from './account-specs';

describe('channel account settings check', () => {
  const ok = (settings: Record<string, unknown>, secrets: Record<string, string> = {}) =>
    checkAccount('ok', {
      settings,
      secrets: { accessToken: 'tkn', webhookSecret: 'whs', ...secrets },
      secretEnv: {},
    });

  it('takes an OK group without its wall: messages only', () => {
    expect(ok({}).problems).toEqual([]);
  });

  it("takes an OK group's wall fields, with the connector's defaults", () => {
    const checked = ok(
      { groupId: 70000042187711, applicationKey: 'CBAFKEKGDIHBABABA' },
      { applicationSecretKey: 's' },
    );
    expect(checked.problems).toEqual([]);
    expect(checked.settings).toMatchObject({
      groupId: 70000042187711,
      applicationKey: 'CBAFKEKGDIHBABABA',
      restUrl: 'https://api.ok.ru/fb.do',
      wallTopics: 20,
    });
  });

  it('says which wall fields an OK group lacks once one of them is given', () => {
    expect(ok({ groupId: 70000042187711 }).problems).toEqual([
      'Стена группы: укажите «Публичный ключ приложения (стена)» (applicationKey)',
      'Стена группы: задайте секрет «Секретный ключ приложения (стена)» (applicationSecretKey)',
    ]);
    expect(ok({}, { applicationSecretKey: 's' }).problems).toEqual([
      'Стена группы: укажите «ID группы (стена)» (groupId)',
      'Стена группы: укажите «Публичный ключ приложения (стена)» (applicationKey)',
    ]);
    expect(ok({ groupId: 'группа', applicationKey: 'K' }, { applicationSecretKey: 's' }).problems).toEqual([
      '«ID группы (стена)» (groupId) — число',
    ]);
  });

  it('counts a wall secret stored before, or named by a variable, and not one being removed', () => {
    const settings = { groupId: 70000042187711, applicationKey: 'K' };
    const stored = { secretKeys: ['accessToken', 'webhookSecret', 'applicationSecretKey'] };
    expect(checkAccount('ok', { settings, secrets: {}, secretEnv: {} }, stored).problems).toEqual([]);
    expect(
      checkAccount('ok', {
        settings,
        secrets: { accessToken: 't', webhookSecret: 'w' },
        secretEnv: { applicationSecretKey: 'OK_APP_SECRET' },
      }).problems,
    ).toEqual([]);
    expect(
      checkAccount('ok', { settings, secrets: { applicationSecretKey: '' }, secretEnv: {} }, stored).problems,
    ).toEqual(['Стена группы: задайте секрет «Секретный ключ приложения (стена)» (applicationSecretKey)']);
  });

  it("refuses a system variable as a secret's source, takes a channel's", () => {
    const secrets = { accessToken: 'tkn', webhookSecret: 'whs' };
    for (const name of [
      'AUTH_TOKEN_SECRET',
      'DATABASE_URL',
      'CHANNEL_SECRETS_KEY',
      'REDIS_URL',
      'PGPASSWORD',
    ]) {
      expect(
        checkAccount('ok', { settings: {}, secrets, secretEnv: { accessToken: name } }).problems,
      ).toEqual([
        'Секрет «accessToken»: переменная окружения должна быть переменной канала (TELEGRAM_, VK_, OK_, EMAIL_, POS_, MEDO_, WEBSITE_FEED_), не системной',
      ]);
    }
    expect(
      checkAccount('ok', { settings: {}, secrets, secretEnv: { accessToken: 'OK_DISTRICT_TOKEN' } }).problems,
    ).toEqual([]);
  });

  it('still asks for a required secret, and refuses a setting the kind does not have', () => {
    expect(checkAccount('ok', { settings: { colour: 'red' }, secrets: {}, secretEnv: {} }).problems).toEqual([
      'Неизвестная настройка «colour» для канала «Одноклассники»',
      'Задайте секрет «Ключ доступа группы» (accessToken)',
      'Задайте секрет «Секрет вебхука» (webhookSecret)',
    ]);
  });

  describe('where secrets named by environment variable may go', () => {
    const allowed = new Set([...officialChannelHosts(), 'mail.district.test']);

    it("knows the channels' own API hosts from their default addresses", () => {
      expect(new Set(officialChannelHosts())).toEqual(
        new Set(['api.telegram.org', 'api.vk.com', 'api.ok.ru']),
      );
    });

    it("refuses a token the environment holds sent to an API address of the administrator's choosing", () => {
      const problem = namedSecretHostProblem(
        'vk',
        { groupId: 1, apiBaseUrl: 'https://collector.example:8443/method' },
        { groupToken: 'VK_DISTRICT_TOKEN' },
        allowed,
      );
      expect(problem).toMatch(
        /^Секреты из переменных окружения \(VK_DISTRICT_TOKEN\) не отправляются на collector\.example:/,
      );
      expect(problem).toContain('CHANNEL_SECRET_HOSTS');
      // A mail server counts as much as an API address; a webhook address (where the channel calls us) does not.
      expect(
        namedSecretHostProblem(
          'email',
          { imapHost: 'mail.district.test', smtpHost: 'Relay.Collector.example' },
          { imapPassword: 'EMAIL_DISTRICT_PASSWORD' },
          allowed,
        ),
      ).toContain('relay.collector.example');
      expect(
        namedSecretHostProblem(
          'telegram',
          { apiRoot: 'https://api.telegram.org', webhookUrl: 'https://inbox.region.test/webhooks/telegram' },
          { botToken: 'TELEGRAM_DISTRICT_TOKEN' },
          allowed,
        ),
      ).toBeUndefined();
    });

    it('lets secrets entered by the administrator, or none named, go where the settings say', () => {
      expect(
        namedSecretHostProblem('vk', { apiBaseUrl: 'https://vk-proxy.example/method' }, {}, allowed),
      ).toBeUndefined();
      expect(
        namedSecretHostProblem(
          'vk',
          { apiBaseUrl: 'https://vk-proxy.example/method' },
          { groupToken: '' },
          allowed,
        ),
      ).toBeUndefined();
    });

    it('names the address settings that changed, and not the others', () => {
      const before = { imapHost: 'mail.a.test', smtpHost: 'mail.a.test', imapPort: 993, mailbox: 'INBOX' };
      expect(
        changedSecretBearingSettings('email', before, { ...before, mailbox: 'Обращения', imapPort: 143 }),
      ).toEqual([]);
      expect(
        changedSecretBearingSettings('email', before, { ...before, smtpHost: 'smtp.b.test' }).map(
          (f) => f.key,
        ),
      ).toEqual(['smtpHost']);
    });
  });
});
