/**
 * The architecture as rules (docs/layout.md), checked by dependency-cruiser
 * in __tests__/layout.test.ts: every import runs one way, down this stack,
 *
 *   bin/            plain-JS entries (run the compiled code)
 *   tools/          developer harness            may import cli, stacks, modules, config
 *   cli/, main.ts   user commands, the cdktf app  may import stacks, modules, config
 *   stacks/         wiring of config to modules  may import modules, config
 *   modules/        constructs and builders      may import config
 *   config/         the ground floor             imports no other folder
 *
 * so no two folders can import each other, directly or through a third;
 * and no module imports itself back through others. Type-only imports count
 * (they tie the folders together as much as any other).
 */
const FOLDER = (names) => `^(${names.join('|')})/`;
const MAIN = '^main\\.ts$';
const above = (...names) => `${FOLDER(names)}|${MAIN}`;

module.exports = {
  forbidden: [
    {
      name: 'config-is-the-ground-floor',
      comment: 'config/ (schema, loading, rules) imports nothing from another folder: what it needs from the builders comes in as the checks its callers pass (modules/fleet-checks.ts).',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: above('modules', 'stacks', 'cli', 'tools', 'bin') },
    },
    {
      name: 'modules-build-on-config-only',
      comment: 'modules/ (constructs, pure builders) may import config/ and nothing above it.',
      severity: 'error',
      from: { path: '^modules/' },
      to: { path: above('stacks', 'cli', 'tools', 'bin') },
    },
    {
      name: 'stacks-wire-modules-to-config',
      comment: 'stacks/ may import modules/ and config/, never the commands, the app or the harness that use it.',
      severity: 'error',
      from: { path: '^stacks/' },
      to: { path: above('cli', 'tools', 'bin') },
    },
    {
      name: 'commands-do-not-import-the-app-or-the-harness',
      comment: 'cli/ (user commands) may import stacks/, modules/, config/; not main.ts (it synthesizes when loaded) nor tools/ (the developer harness is not shipped to users).',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: `${FOLDER(['tools', 'bin'])}|${MAIN}` },
    },
    {
      name: 'the-app-imports-no-command',
      comment: 'main.ts (the cdktf app) wires config to stacks; it imports no command and no tool.',
      severity: 'error',
      from: { path: MAIN },
      to: { path: FOLDER(['cli', 'tools', 'bin']) },
    },
    {
      name: 'the-harness-imports-no-entry',
      comment: 'tools/ may use everything below it, but not the entries that run code when loaded (main.ts, bin/).',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: `${FOLDER(['bin'])}|${MAIN}` },
    },
    {
      name: 'no-folder-cycle',
      comment: 'No two folders (at any depth) import each other, directly or through others.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      comment: 'No module imports itself back through others (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(config|modules|stacks|cli|tools|bin)/|^main\\.ts$',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
