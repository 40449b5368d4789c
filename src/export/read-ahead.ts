// The end of a run visits every job folder (a legend or fragment read per job, a rewrite where ids changed): one after
// the other, each small file operation waits its turn in the thread pool; started a few ahead they overlap, while
// their results still come back in order and at most `ahead` are held at once.

/** How many job folders the end of a run works on at once: enough to keep the thread pool busy. */
export const READ_AHEAD = 16;

/** `read(item)` of every item, in the items' order, with up to `ahead` reads in flight. */
export async function* readAhead<T, R>(
  items: readonly T[],
  ahead: number,
  read: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const start = () => {
    const promise = read(items[next++]!);
    // Awaited in turn below; a rejection while earlier items are awaited must not go unhandled meanwhile.
    promise.catch(() => {});
    pending.push(promise);
  };
  while (next < items.length && pending.length < ahead) start();
  while (pending.length > 0) {
    const result = await pending.shift()!;
    if (next < items.length) start();
    yield result;
  }
}
