// Reads of many small files at the end of a run (a legend or fragment per job) go one after the other through the
// thread pool; started a few ahead they overlap, while their results still come back in order and at most `ahead`
// are held at once.

/** How many reads of job files the end of a run keeps in flight: enough to keep the thread pool busy. */
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
