/**
 * What `--registration-only` holds off in the workers it spawns, so the run measures registration alone: the
 * classification passes' wake by the worker's own registrations (CLASSIFY_ON_REGISTRATION), the history hooks
 * (routing, notices) and the classification pass's own poll (sweep of unclassified appeals, incident grouping).
 * The polls wait the longest interval the configuration accepts (60 s): a run whose burst lasts longer sees
 * one pass of each.
 */
export const HELD_OFF_MS = '60000';

export function workerPollEnv(
  registrationOnly: boolean,
  env: NodeJS.ProcessEnv = process.env,
): { EVENT_HOOK_POLL_MS: string; CLASSIFY_POLL_MS?: string; CLASSIFY_ON_REGISTRATION?: string } {
  // A whole-pipeline run polls the hooks briskly; the classification poll keeps the worker's own setting.
  return registrationOnly
    ? { EVENT_HOOK_POLL_MS: HELD_OFF_MS, CLASSIFY_POLL_MS: HELD_OFF_MS, CLASSIFY_ON_REGISTRATION: 'false' }
    : { EVENT_HOOK_POLL_MS: env.EVENT_HOOK_POLL_MS ?? '100' };
}

/** The line a registration-only run prints, so its figures are not read as the whole pipeline's. */
export function heldOffNote(): string {
  return `registration only: classification and routing held off in the workers (CLASSIFY_ON_REGISTRATION=false; CLASSIFY_POLL_MS and EVENT_HOOK_POLL_MS = ${HELD_OFF_MS} ms, the configuration's maximum)`;
}
