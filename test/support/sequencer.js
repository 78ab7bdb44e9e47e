/**
 * The order in which jest hands test files to its workers (jest.config.js, `testSequencer`).
 *
 * Jest's own order: files that failed last time, then by the duration it remembers (longest first) or, with
 * no timings (a fresh clone, as in CI), by file size. Here the integration and e2e files (test/) go before the
 * unit specs, each group in jest's order: the long waits on Postgres, Redis, Chromium and booted stacks start
 * first, and the short unit specs fill the workers at the end instead of a long suite starting last and
 * running alone.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { sep } = require('node:path');

const TEST_DIR = `${sep}test${sep}`;

class IntegrationFirst extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const isIntegration = (test) => test.path.startsWith(test.context.config.rootDir + TEST_DIR);
    return [...ordered.filter(isIntegration), ...ordered.filter((test) => !isIntegration(test))];
  }
}

module.exports = IntegrationFirst;
