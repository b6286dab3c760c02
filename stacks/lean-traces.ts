/**
 * Synth speed: cdktf records a full stack trace (`creationStack`) for every
 * token it creates (each attribute reference, each computed list of a
 * provider binding), and formats it to text at once. With one stack per
 * account that is tens of thousands of traces: at 1,000 accounts about a
 * third of the app's run time went into formatting them (docs/performance.md).
 * They are only read in cdktf's error messages about misused tokens.
 *
 * `withLeanTokenTraces` runs a function with a stack formatter that returns
 * an empty trace for those captures: cdktf captures them on plain objects,
 * never on `Error`s. Real errors are left alone: V8 formats an error's stack
 * lazily, on first read, so an error raised inside and printed later gets
 * Node's usual trace; one read inside gets the same `name: message` and
 * `at` lines, without source-map support. The previous formatter is
 * restored afterwards.
 *
 * Set CLOUDTRAIL_TOKEN_TRACES=1 to keep cdktf's full creation stacks (when
 * debugging a token error).
 */
export const TOKEN_TRACES_ENV = 'CLOUDTRAIL_TOKEN_TRACES';

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;

function leanFormatter(error: unknown, frames: NodeJS.CallSite[]): string {
  if (!(error instanceof Error)) return '';
  return `${String(error)}${frames.map((f) => `\n    at ${String(f)}`).join('')}`;
}

export function withLeanTokenTraces<T>(fn: () => T): T {
  if (process.env[TOKEN_TRACES_ENV]) return fn();
  const ctor = Error as { prepareStackTrace?: Formatter };
  const had = Object.prototype.hasOwnProperty.call(ctor, 'prepareStackTrace');
  const previous = ctor.prepareStackTrace;
  ctor.prepareStackTrace = previous
    ? (error, frames) => (error instanceof Error ? previous(error, frames) : '')
    : (leanFormatter as Formatter);
  try {
    return fn();
  } finally {
    if (had) ctor.prepareStackTrace = previous;
    else delete ctor.prepareStackTrace;
  }
}
