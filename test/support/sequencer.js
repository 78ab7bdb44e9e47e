/**
 * The order in which jest hands test files to its workers (jest.config.js, `testSequencer`).
 *
 * Jest's own order: files that failed last time, then by the duration it remembers (longest first) or, with
 * no timings (a fresh clone, as in CI), by file size. Here the integration and e2e files (test/) go before the
 * unit specs, each group in jest's order: the long waits on Postgres, Redis, Chromium and booted stacks start
 * first, and the short unit specs fill the workers at the end instead of a long suite starting last and
 * running alone.
 *
 * Ahead of them all, the files that took longest in the last full run (LONGEST, seconds at three workers on a
 * CI machine loaded by the run alone, load 6–7, a whole jest run on d4cd642, 7 December 2026 evening, 763 s: its
 * fifteen longest), longest first: by size
 * alone a short file of long waits (session-expiry-web) came 93rd of the 112 in test/, and the CPU-bound deadline
 * sweep 23rd of the unit specs, near the end of the run. Figures from a loaded machine do not stand in: at load
 * 25–38 the same files took 2 to 13 times as long, the CPU-bound ones most.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { sep } = require('node:path');

const TEST_DIR = `${sep}test${sep}`;

/** Paths from the repository's root, `/`-separated; refresh from a full run's `jest --json` when they drift. */
const LONGEST = {
  'test/e2e/web-workspace.test.ts': 172,
  'test/e2e/workspace-day.test.ts': 160,
  'test/e2e/web-admin.test.ts': 141,
  'test/e2e/all-in-one.test.ts': 74,
  'test/e2e/web-dashboard.test.ts': 73,
  'test/e2e/telegram-outages.test.ts': 71,
  'test/e2e/supervisor-day.test.ts': 60,
  'test/integration/search-rare-word.test.ts': 57,
  'test/integration/interrupted-send.test.ts': 52,
  'test/e2e/operator-day.test.ts': 45,
  'test/e2e/bad-input-fuzz.test.ts': 43,
  'test/e2e/http-connections.test.ts': 38,
  'test/integration/ok-bot-dialogue.test.ts': 36,
  'test/e2e/telegram-channel.test.ts': 36,
  'test/integration/outage-recovery.test.ts': 36,
  // The longest unit spec, CPU-bound: early rather than among the short specs that end the run.
  'libs/deadlines/src/deadline-sweep.spec.ts': 67,
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
