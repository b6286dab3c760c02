/**
 * Bounded concurrency for the commands that work through a fleet (doctor,
 * deploy): at most `limit` tasks run at once, results keep the input order.
 */

/** Maps `items` with at most `limit` calls in flight; `onDone` after each one, with the count so far. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, onDone?: (done: number, result: R, item: T) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
      onDone?.(++done, results[i], items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A mutual exclusion for tasks that must not overlap (e.g. Terraform installing into one plugin cache). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
