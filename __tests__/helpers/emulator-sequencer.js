/**
 * The order of the emulator stage's test files (jest.emulator.config.js).
 * Jest orders a first run by file size; here the two long files (the
 * transitions chain, about 10 minutes, and the example configs, about the
 * same) must start first, one per worker, so the short ones fill in behind
 * them instead of delaying one of them.
 */
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = ['transitions.emulator.test.ts', 'examples.emulator.test.ts'];
const rank = (file) => {
  const i = FIRST.findIndex((name) => file.endsWith(name));
  return i === -1 ? FIRST.length : i;
};

class EmulatorSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = EmulatorSequencer;
