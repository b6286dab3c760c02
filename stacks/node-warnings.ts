/**
 * cdktf 0.21 calls `util.isArray` when it synthesizes an output; Node 22
 * deprecates that API at run time (DEP0044) and prints a warning on stderr
 * once per process, which the cdktf CLI shows as an `[ERROR]` line on every
 * synth. Only that one deprecation is dropped; every other warning is kept.
 * Imported first by main.ts (and by the Jest setup).
 */
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;

function warningCode(args: readonly unknown[]): unknown {
  const [, typeOrOptions, code] = args;
  return typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
}

process.emitWarning = ((...args: unknown[]) => {
  if (warningCode(args) === 'DEP0044') return;
  emitWarning(...args);
}) as typeof process.emitWarning;

export {};
