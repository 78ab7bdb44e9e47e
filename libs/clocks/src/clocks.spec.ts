import { AppConfig, ConfigError } from '@inbox/config';
import { JobName, parseJobPayload } from '@inbox/queue';
import { escalationClockDueAt } from './clock-names';

describe('clock configuration', () => {
  it('starts the 15-minute escalation clock (S1) only for the configured channels', () => {
    const at = new Date('2026-11-24T03:00:00Z');
    expect(escalationClockDueAt('operator', at, ['operator'])).toEqual(new Date('2026-11-24T03:15:00Z'));
    expect(escalationClockDueAt('website', at, ['operator'])).toBeNull();
  });

  it('reads the clock settings with defaults and rejects an unknown channel', () => {
    const defaults = new AppConfig({});
    expect(defaults).toMatchObject({
      clockWatchMs: 60_000,
      atRiskAnswerHours: 72,
      atRiskLine2Minutes: 120,
      atRiskEscalationMinutes: 5,
      escalationClockChannels: ['operator'],
    });
    expect(
      new AppConfig({ ESCALATION_CLOCK_CHANNELS: 'operator, telegram' }).escalationClockChannels,
    ).toEqual(['operator', 'telegram']);
    expect(() => new AppConfig({ ESCALATION_CLOCK_CHANNELS: 'phone' })).toThrow(ConfigError);
    expect(() => new AppConfig({ CLOCK_WATCH_MS: '10' })).toThrow(/CLOCK_WATCH_MS/);
  });

  it('accepts only an empty payload for the watch job', () => {
    expect(parseJobPayload(JobName.WatchClocks, {})).toEqual({});
    expect(() => parseJobPayload(JobName.WatchClocks, null)).toThrow(/payload must be \{\}/);
    expect(() => parseJobPayload(JobName.WatchClocks, { now: 1 })).toThrow(/payload must be \{\}/);
  });
});
