// The batch's pages are read ahead of the jobs they list, so that the progress knows the batch's total early: a page
// is one request for up to 100 jobs, while every job costs several, so under a rate limit the pages stay a small
// share of the requests. Memory stays bounded: at most `ahead` accepted items wait, plus the page being read.

/** How many listed jobs may wait for a job slot: ten of the API's full pages. */
export const LIST_AHEAD_JOBS = 1000;

export interface ListAheadOptions<T> {
  /** Most accepted items waiting for the consumer; reading stops while that many wait. */
  readonly ahead: number;
  /** Called on every item as soon as it is read, in order: true to hand it to the consumer. */
  readonly accept: (item: T) => boolean;
  /** Called once the source is read to its end (not when it fails or the consumer stops). */
  readonly end: () => void;
}

/**
 * The accepted items of `source`, in order, read ahead of the consumer by up to `ahead` items. A failure of the
 * source (or of `accept`) is thrown after the items read before it. Stopping the iteration stops the reading and
 * waits for it to end.
 */
export async function* listAhead<T>(source: AsyncIterable<T>, options: ListAheadOptions<T>): AsyncGenerator<T> {
  const { ahead, accept, end } = options;
  const waiting: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  // One side waits for the other at a time: the reader for room, the consumer for an item or the end.
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const sleep = () => new Promise<void>((resolve) => (wake = resolve));

  const reading = (async () => {
    try {
      for await (const item of source) {
        if (stopped) return;
        if (!accept(item)) continue;
        waiting.push(item);
        notify();
        while (waiting.length >= ahead && !stopped) await sleep();
        if (stopped) return;
      }
      end();
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      notify();
    }
  })();

  try {
    for (;;) {
      if (waiting.length > 0) {
        const item = waiting.shift()!;
        notify();
        yield item;
      } else if (finished) {
        if (failure) throw failure.error;
        return;
      } else {
        await sleep();
      }
    }
  } finally {
    stopped = true;
    notify();
    await reading;
  }
}
