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
});
