/**
 * The progress of a long command, on stderr: on a terminal one line
 * rewritten in place (carriage return and erase-line; never spinner frames),
 * elsewhere (CI logs) plain lines, each written once.
 */

export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** stderr is a terminal. */
  readonly isTTY: boolean;
  /** Width of the terminal (the line is cut to fit, so it never wraps). @default 120 */
  readonly columns?: number;
}

/** Erase the current line and go back to its start. */
const CLEAR = '\r\x1b[K';

export class ProgressLine {
  private shown = false;

  constructor(private readonly options: ProgressOptions) {}

  get isTTY(): boolean {
    return this.options.isTTY;
  }

  /** The live status: replaces the previous one on a terminal; ignored elsewhere (use `line` for CI). */
  status(text: string): void {
    if (!this.options.isTTY) return;
    const width = Math.max(20, (this.options.columns ?? 120) - 1);
    const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.options.write(`${CLEAR}${cut}`);
    this.shown = true;
  }

  /** A permanent line (an event worth keeping in the log): above the live status on a terminal. */
  line(text: string, redraw?: string): void {
    if (this.options.isTTY && this.shown) this.options.write(CLEAR);
    this.options.write(`${text}\n`);
    this.shown = false;
    if (redraw !== undefined) this.status(redraw);
  }

  /** Removes the live status (before the final report). */
  done(): void {
    if (this.options.isTTY && this.shown) this.options.write(CLEAR);
    this.shown = false;
  }
}

/**
 * "n/total" progress for runs of at least `minTotal` items: rewritten in
 * place on a terminal; elsewhere one plain line at each tenth.
 */
export function countProgress(progress: ProgressLine, label: (done: number, total: number) => string, minTotal = 20): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (total < minTotal) return;
    if (progress.isTTY) {
      if (done === total) progress.done();
      else progress.status(label(done, total));
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      progress.line(label(done, total));
    }
  };
}
