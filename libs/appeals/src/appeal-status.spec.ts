import {
  AppealStatus,
  assertTransition,
  canTransition,
  InvalidTransitionError,
  OPEN_STATUSES,
} from './appeal-status';

describe('appeal status machine', () => {
  it('follows the main path registered → in work → answered → closed', () => {
    expect(canTransition(AppealStatus.Registered, AppealStatus.InWork)).toBe(true);
    expect(canTransition(AppealStatus.InWork, AppealStatus.Answered)).toBe(true);
    expect(canTransition(AppealStatus.Answered, AppealStatus.Closed)).toBe(true);
  });

  it('reopens a closed or answered appeal, and nothing else leaves closed', () => {
    expect(canTransition(AppealStatus.Closed, AppealStatus.Reopened)).toBe(true);
    expect(canTransition(AppealStatus.Answered, AppealStatus.Reopened)).toBe(true);
    expect(canTransition(AppealStatus.Closed, AppealStatus.InWork)).toBe(false);
  });

  it('refuses an illegal jump with a Russian message', () => {
    expect(() => assertTransition(AppealStatus.Closed, AppealStatus.Answered)).toThrow(
      InvalidTransitionError,
    );
    expect(() => assertTransition(AppealStatus.Closed, AppealStatus.Answered)).toThrow(
      /Рассмотрение завершено/,
    );
  });

  it('keeps every open status able to reach an answer', () => {
    for (const status of OPEN_STATUSES) {
      const reachable = new Set([status]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const s of [...reachable]) {
          for (const next of Object.values(AppealStatus)) {
            if (canTransition(s, next) && !reachable.has(next)) {
              reachable.add(next);
              grew = true;
            }
          }
        }
      }
      expect(reachable.has(AppealStatus.Answered)).toBe(true);
    }
  });
});
