import { printGrid } from './report';

/**
 * How many worker and api processes a region needs (issue 18), from per-process throughput the benches measure
 * and these stated assumptions. Appeals arrive in working hours only (247 working days of 9 hours), a peak day
 * brings PEAK_DAY times a mean working day and its busiest hour PEAK_HOUR times that day's mean hour; every
 * figure keeps HEADROOM spare and at least MIN_PROCESSES of each kind run, so one can fail or be redeployed.
 * A Node process uses one core: the counts are cores beside Postgres's and Redis's own.
 */
export const SIZING = {
  workingSecondsPerYear: 247 * 9 * 3600,
  peakDay: 4,
  peakHour: 2,
  headroom: 2,
  minProcesses: 2,
  /** Inbound items per appeal: follow-ups in chats and e-mail replies (≈ 8 % in the bench's mix). */
  itemsPerAppeal: 1.1,
  /** Staff: one member per this many appeals a year (≈ 8 appeals each working day). */
  appealsPerStaffMember: 2000,
  /** Each staff member at the peak: one inbox, card or search request every 10 s (the live stream is idle). */
  staffRequestsPerSecond: 0.1,
  /** Citizens' requests per appeal: the form (or a webhook) and a few status look-ups. */
  citizenRequestsPerAppeal: 4,
};

export const REGION_SIZES = [100_000, 1_000_000, 10_000_000];

/** Appeals a second in the peak hour of the peak day. */
export function peakAppealsPerSecond(appealsPerYear: number): number {
  return (appealsPerYear / SIZING.workingSecondsPerYear) * SIZING.peakDay * SIZING.peakHour;
}

const processes = (load: number) => Math.max(SIZING.minProcesses, Math.ceil(load * SIZING.headroom));
const label = (n: number) => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3} k`);
const round = (x: number) => (x >= 10 ? String(Math.round(x)) : x.toFixed(2));

/** Worker processes, from one process's classified-and-routed appeals a second. */
export function printWorkerSizing(routedPerProcess: number): void {
  printGrid(
    `worker processes a region needs · one process classified and routed ${routedPerProcess}/s · ` +
      `peak = ${SIZING.peakDay}× mean working day × ${SIZING.peakHour}× its mean hour, ${SIZING.headroom}× headroom, at least ${SIZING.minProcesses}`,
    ['appeals a year', 'peak appeals/s', 'peak items/s', 'worker processes (a core each)'],
    REGION_SIZES.map((n) => {
      const peak = peakAppealsPerSecond(n);
      const items = peak * SIZING.itemsPerAppeal;
      return [label(n), round(peak), round(items), String(processes(items / routedPerProcess))];
    }),
  );
}

/** Api processes, from one process's staff requests and form submissions a second. */
export function printApiSizing(staffPerProcess: number, formsPerProcess: number): void {
  printGrid(
    `api processes a region needs · one process served ${staffPerProcess} staff requests/s or ${formsPerProcess} form submissions/s · ` +
      `one staff member per ${SIZING.appealsPerStaffMember} appeals a year, ${SIZING.staffRequestsPerSecond} requests/s each at the peak; ` +
      `${SIZING.citizenRequestsPerAppeal} citizen requests per appeal (costed as submissions); ${SIZING.headroom}× headroom, at least ${SIZING.minProcesses}`,
    [
      'appeals a year',
      'staff',
      'peak staff requests/s',
      'peak citizen requests/s',
      'api processes (a core each)',
    ],
    REGION_SIZES.map((n) => {
      const staff = Math.ceil(n / SIZING.appealsPerStaffMember);
      const staffLoad = staff * SIZING.staffRequestsPerSecond;
      const citizenLoad = peakAppealsPerSecond(n) * SIZING.citizenRequestsPerAppeal;
      const load = staffLoad / staffPerProcess + citizenLoad / formsPerProcess;
      return [label(n), String(staff), round(staffLoad), round(citizenLoad), String(processes(load))];
    }),
  );
}
