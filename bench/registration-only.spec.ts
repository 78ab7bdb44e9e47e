import { AppConfig } from '@inbox/config';
import { HELD_OFF_MS, heldOffNote, workerPollEnv } from './registration-only';

describe('--registration-only worker environment', () => {
  it('holds the classification poll, its wake on registration and the history hooks off', () => {
    const env = workerPollEnv(true, { CLASSIFY_POLL_MS: '250', EVENT_HOOK_POLL_MS: '100' });
    expect(env).toEqual({
      CLASSIFY_POLL_MS: HELD_OFF_MS,
      EVENT_HOOK_POLL_MS: HELD_OFF_MS,
      CLASSIFY_ON_REGISTRATION: 'false',
    });
    expect(heldOffNote()).toContain('classification and routing held off');
    // The workers' configuration accepts the values (a refused one would stop the worker at start).
    const config = new AppConfig(env);
    expect([config.classifyPollMs, config.eventHookPollMs, config.classifyOnRegistration]).toEqual([
      60_000,
      60_000,
      false,
    ]);
  });

  it('keeps the polls of a whole-pipeline run (the caller may still set them)', () => {
    expect(workerPollEnv(false, {})).toEqual({ EVENT_HOOK_POLL_MS: '100' });
    expect(workerPollEnv(false, { EVENT_HOOK_POLL_MS: '40' })).toEqual({ EVENT_HOOK_POLL_MS: '40' });
  });
});
