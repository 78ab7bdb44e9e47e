import { checkAccount } from './account-specs';

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
});
