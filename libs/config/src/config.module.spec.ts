import { JsonLogger, setLogLevel } from '@inbox/common';
import { ConfigError } from './app-config';
import { loadAppConfig } from './config.module';

describe('loadAppConfig', () => {
  afterEach(() => setLogLevel('info'));

  it('applies LOG_LEVEL to the logger once the configuration is valid', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(loadAppConfig({ LOG_LEVEL: 'error' }).logLevel).toBe('error');
      new JsonLogger('spec').warn('below the level');
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it('refuses an unknown LOG_LEVEL at boot, with the other problems', () => {
    let problems: string[] = [];
    try {
      loadAppConfig({ LOG_LEVEL: 'loud', HTTP_PORT: 'x' });
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : [];
    }
    expect(problems).toEqual([expect.stringContaining('HTTP_PORT'), expect.stringContaining('LOG_LEVEL')]);
  });

  it('refuses to start in production without AUTH_TOKEN_SECRET or ACCESS_CODE_KEY, and reads rotation, scrypt and rate limits', () => {
    let problems: string[] = [];
    try {
      loadAppConfig({ NODE_ENV: 'production' });
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : [];
    }
    expect(problems).toEqual([
      expect.stringContaining('AUTH_TOKEN_SECRET must be set in production'),
      expect.stringContaining('ACCESS_CODE_KEY must be set in production'),
    ]);
    // The access codes' key: a short one refused; outside production a fixed development key, the same in every
    // process (the worker registers, the api checks).
    expect(() => loadAppConfig({ ACCESS_CODE_KEY: 'short' })).toThrow(ConfigError);
    expect(loadAppConfig({}).accessCodeKey).toBe(loadAppConfig({}).accessCodeKey);
    const config = loadAppConfig({
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: 's'.repeat(40),
      ACCESS_CODE_KEY: 'k'.repeat(40),
      AUTH_TOKEN_PREVIOUS_SECRETS: `${'p'.repeat(32)}, ${'q'.repeat(32)}`,
      RATE_LIMIT_STATUS: 'off',
    });
    expect(config.authTokenPreviousSecrets).toEqual(['p'.repeat(32), 'q'.repeat(32)]);
    expect(config.accessCodeKey).toBe('k'.repeat(40));
    expect(config.passwordScryptN).toBe(2 ** 17);
    expect(config.rateLimits).toEqual({
      form: { limit: 20, windowSeconds: 600 },
      status: null,
      faq: { limit: 120, windowSeconds: 60 },
      webhook: { limit: 600, windowSeconds: 60 },
      signIn: { limit: 120, windowSeconds: 60 },
    });
    expect(config.signInFailures).toEqual({ limit: 30, windowSeconds: 60 });
    // Nothing inside our network for an administrator's channel account in production unless named; elsewhere
    // this machine's names, where the fakes of development and the tests listen.
    expect(config.channelInternalHosts).toEqual([]);
    expect(config.medoAccountRoots).toEqual([]);
    expect(loadAppConfig({}).medoAccountRoots).toEqual(['/']);
    expect(() => loadAppConfig({ MEDO_ACCOUNT_ROOTS: 'srv/medo' })).toThrow(ConfigError);
    expect(loadAppConfig({}).channelInternalHosts).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(loadAppConfig({ CHANNEL_INTERNAL_HOSTS: 'Feed.Local, [fd00::5]' }).channelInternalHosts).toEqual([
      'feed.local',
      'fd00::5',
    ]);
    expect(() => loadAppConfig({ PASSWORD_SCRYPT_N: '20000', RATE_LIMIT_FORM: 'lots' })).toThrow(ConfigError);
    // The API's documentation is off in production unless asked for, served elsewhere unless switched off.
    expect(config.apiDocs).toBe(false);
    expect(loadAppConfig({}).apiDocs).toBe(true);
    expect(loadAppConfig({ API_DOCS: 'off' }).apiDocs).toBe(false);
    expect(
      loadAppConfig({
        NODE_ENV: 'production',
        AUTH_TOKEN_SECRET: 's'.repeat(40),
        ACCESS_CODE_KEY: 'k'.repeat(40),
        API_DOCS: 'public',
      }).apiDocs,
    ).toBe(true);
    expect(() => loadAppConfig({ API_DOCS: 'admin' })).toThrow(ConfigError);
  });

  it('believes no proxy by default; TRUST_PROXY takes a number of hops or a list of addresses', () => {
    expect(loadAppConfig({}).trustProxy).toBe(false);
    expect(loadAppConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadAppConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::1',
    ]);
    for (const bad of ['everyone', '10.0.0.0/33', '11', '1.2.3.4/8/1']) {
      expect(() => loadAppConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
    }
  });

  it('reads the channel accounts again every 5 s unless CHANNEL_ACCOUNTS_REFRESH_MS says otherwise', () => {
    expect(loadAppConfig({}).channelAccountsRefreshMs).toBe(5000);
    expect(loadAppConfig({ CHANNEL_ACCOUNTS_REFRESH_MS: '1000' }).channelAccountsRefreshMs).toBe(1000);
    expect(() => loadAppConfig({ CHANNEL_ACCOUNTS_REFRESH_MS: '0' })).toThrow(ConfigError);
  });
});
