/**
 * The order in which jest hands test files to its workers (jest.config.js, `testSequencer`).
 *
 * Jest's own order: files that failed last time, then by the duration it remembers (longest first) or, with
 * no timings (a fresh clone, as in CI), by file size. Here the integration and e2e files (test/) go before the
 * unit specs, each group in jest's order: the long waits on Postgres, Redis, Chromium and booted stacks start
 * first, and the short unit specs fill the workers at the end instead of a long suite starting last and
 * running alone.
 *
 * Ahead of them all, the files that took longest in the last full run (LONGEST, seconds at two workers on an
 * idle CI machine: `bash .ci/run`, 265 files, jest 853 s), longest first: by size alone a short file of long waits (session-expiry-web) came 96th of
 * the 135 in test/, and the CPU-bound deadline sweep 23rd of the unit specs, near the end of the run.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { sep } = require('node:path');

const TEST_DIR = `${sep}test${sep}`;

/** Paths from the repository's root, `/`-separated; refresh from a full run's `jest --json` when they drift. */
const LONGEST = {
  'test/e2e/web-workspace.test.ts': 121,
  'test/e2e/workspace-day.test.ts': 84,
  'test/e2e/web-dashboard.test.ts': 75,
  'test/e2e/web-admin.test.ts': 74,
  // This and outage-recovery: folded files (README, "Running the tests"), not in that run; at two workers, load 3.
  'test/e2e/telegram-outages.test.ts': 65,
  'test/e2e/all-in-one.test.ts': 51,
  'test/integration/search-rare-word.test.ts': 36,
  'test/e2e/supervisor-day.test.ts': 34,
  'libs/deadlines/src/deadline-sweep.spec.ts': 33,
  'test/integration/outage-recovery.test.ts': 31,
  // Not among the eight longest of that run (33 s at most), but 25 s of it is a session's lifetime waited out.
  'test/e2e/session-expiry-web.test.ts': 30,
};

class LongestFirst extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const relative = (test) =>
      test.path
        .slice(test.context.config.rootDir.length + 1)
        .split(sep)
        .join('/');
    const known = (test) => LONGEST[relative(test)];
    const isIntegration = (test) => test.path.startsWith(test.context.config.rootDir + TEST_DIR);
    return [
      ...ordered.filter(known).sort((a, b) => known(b) - known(a)),
      ...ordered.filter((test) => !known(test) && isIntegration(test)),
      ...ordered.filter((test) => !known(test) && !isIntegration(test)),
    ];
  }
}

module.exports = LongestFirst;
