import { channelsFromEnv } from './channel-settings';

/** The feeds' settings as channel-accounts.ts maps them from the environment. */
describe('feed channel accounts from env', () => {
  const pos = {
    POS_BASE_URL: 'https://pos.example',
    POS_USERNAME: 'u',
    POS_PASSWORD: 'p',
    POS_CLIENT_ID: 'c',
    POS_CLIENT_SECRET: 's',
    POS_REGION_ID: '54',
    POS_OPA_IDS: '220511, 220512',
  };

  it('maps ПОС organisations and the optional tuning, leaving unset ones to the connector', () => {
    const { accounts } = channelsFromEnv({
      ...pos,
      POS_ORGANISATIONS: 'minzhkh=220511, mintrans = 220512,broken',
      POS_TIMEOUT_MS: '5000',
    });
    expect(accounts[0].settings).toEqual({
      baseUrl: 'https://pos.example',
      regionId: '54',
      opaIds: ['220511', '220512'],
      organisations: { minzhkh: '220511', mintrans: '220512' },
      timeoutMs: 5000,
    });
  });

  it('passes МЭДО limits and settle time through', () => {
    const { accounts } = channelsFromEnv({
      MEDO_INBOUND_DIR: '/x/in',
      MEDO_OUTBOUND_DIR: '/x/out',
      MEDO_PARTICIPANT_UID: '0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f',
      MEDO_SETTLE_MS: '0',
      MEDO_MAX_UNZIPPED_BYTES: '1000',
    });
    expect(accounts[0].settings).toMatchObject({ settleMs: 0, maxUnzippedBytes: 1000 });
    expect(accounts[0].settings).not.toHaveProperty('maxFiles');
  });

  it("registers the Telegram channel's comments only when TELEGRAM_CHANNEL_COMMENTS says so", () => {
    const settings = (extra: Record<string, string>) =>
      channelsFromEnv({ TELEGRAM_BOT_TOKEN: '1:t', ...extra }).accounts[0].settings;
    expect(settings({})).toMatchObject({ channelComments: false });
    expect(settings({ TELEGRAM_CHANNEL_COMMENTS: 'true' })).toMatchObject({ channelComments: true });
  });

  it('turns the website feed off with a reason when its settings are not a JSON object', () => {
    for (const bad of ['{oops', '[1]', '"text"']) {
      const result = channelsFromEnv({
        WEBSITE_FEED_URL: 'https://site.example/feed',
        WEBSITE_FEED_SETTINGS: bad,
      });
      expect(result.accounts).toEqual([]);
      expect(result.off).toContainEqual({
        kind: 'website-feed',
        reason: expect.stringContaining('WEBSITE_FEED_SETTINGS'),
      });
    }
    const ok = channelsFromEnv({
      WEBSITE_FEED_URL: 'https://site.example/feed',
      WEBSITE_FEED_SETTINGS: '{"cursorField":"id"}',
    });
    expect(ok.accounts[0].settings).toEqual({ cursorField: 'id', url: 'https://site.example/feed' });
  });
});
