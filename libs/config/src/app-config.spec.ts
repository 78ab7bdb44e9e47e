import { AppConfig, ConfigError, redactUrl } from './app-config';

describe('redactUrl', () => {
  it('hides the password of a Postgres URL', () => {
    expect(redactUrl('postgres://inbox:s3cret@db.local:5432/inbox')).toBe(
      'postgres://inbox:***@db.local:5432/inbox',
    );
  });

  it('hides a Redis password given without a user', () => {
    expect(redactUrl('redis://:s3cret@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it('hides a password passed as a query parameter', () => {
    expect(redactUrl('postgres://db.local/inbox?password=s3cret&sslmode=require')).toBe(
      'postgres://db.local/inbox?password=***&sslmode=require',
    );
  });

  it('leaves URLs without a password as they are', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });

  it('still hides the password when the URL does not parse', () => {
    expect(redactUrl('postgres://u:s3cret@host:notaport/db')).not.toContain('s3cret');
  });
});

describe('classifier training threads', () => {
  it('keeps a background retraining on one solver thread unless configured, and refuses a bad count', () => {
    expect(new AppConfig({}).classifierTrainingThreads).toBe(1);
    expect(new AppConfig({ CLASSIFIER_TRAINING_THREADS: '2' }).classifierTrainingThreads).toBe(2);
    expect(() => new AppConfig({ CLASSIFIER_TRAINING_THREADS: '0' })).toThrow(ConfigError);
  });
});
