/**
 * The order in which jest hands test files to its workers (jest.config.js, `testSequencer`).
 *
 * Jest's own order: files that failed last time, then by the duration it remembers (longest first) or, with
 * no timings (a fresh clone, as in CI), by file size. Here the integration and e2e files (test/) go before the
 * unit specs, each group in jest's order: the long waits on Postgres, Redis, Chromium and booted stacks start
 * first, and the short unit specs fill the workers at the end instead of a long suite starting last and
 * running alone.
 *
 * Ahead of them all, the files that took longest in the last full run (LONGEST, seconds at three workers on an
 * idle CI machine, a whole jest run on da8cdfc, 7 December 2026, 564 s: its twelve longest), longest first: by size
 * alone a short file of long waits (session-expiry-web) came 93rd of the 112 in test/, and the CPU-bound deadline
 * sweep 23rd of the unit specs, near the end of the run. Figures from a loaded machine do not stand in: at load
 * 25–38 the same files took 2 to 13 times as long, the CPU-bound ones most.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { sep } = require('node:path');

const TEST_DIR = `${sep}test${sep}`;

/** Paths from the repository's root, `/`-separated; refresh from a full run's `jest --json` when they drift. */
const LONGEST = {
  'test/e2e/web-workspace.test.ts': 147,
  'test/e2e/web-admin.test.ts': 125,
  'test/e2e/workspace-day.test.ts': 123,
  'test/e2e/telegram-outages.test.ts': 61,
  'test/e2e/web-dashboard.test.ts': 57,
  'test/e2e/supervisor-day.test.ts': 43,
  'test/e2e/all-in-one.test.ts': 39,
  'test/e2e/telegram-channel.test.ts': 37,
  'test/e2e/head-narrow-overload-web.test.ts': 34,
  'test/e2e/session-expiry-web.test.ts': 33,
  'test/e2e/knowledge-web.test.ts': 31,
  'test/integration/outage-recovery.test.ts': 31,
  // The longest unit spec, CPU-bound: early rather than among the short specs that end the run.
  'libs/deadlines/src/deadline-sweep.spec.ts': 21,
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
