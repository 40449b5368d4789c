// readAhead: results in the items' order whatever order the reads end in, never more than `ahead` in flight, and a
// failed read thrown at its own item (not as an unhandled rejection while earlier items are awaited).
import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/export/read-ahead.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('readAhead', () => {
  it('yields in order with at most `ahead` reads in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const read = async (item: number) => {
      peak = Math.max(peak, ++inFlight);
      // Later items end first.
      await sleep(20 - item);
      inFlight--;
      return item * 10;
    };
    const items = Array.from({ length: 20 }, (_, i) => i);
    const results: number[] = [];
    for await (const result of readAhead(items, 4, read)) results.push(result);
    expect(results).toEqual(items.map((item) => item * 10));
    expect(peak).toBe(4);
  });

  it('throws a failed read at its item, after the ones before it', async () => {
    const read = async (item: number) => {
      if (item === 3) throw new Error('unreadable 3');
      await sleep(5);
      return item;
    };
    const results: number[] = [];
    await expect(
      (async () => {
        for await (const result of readAhead([0, 1, 2, 3, 4, 5], 8, read)) results.push(result);
      })(),
    ).rejects.toThrow('unreadable 3');
    expect(results).toEqual([0, 1, 2]);
  });

  it('reads nothing for no items', async () => {
    let reads = 0;
    for await (const _ of readAhead([], 4, async () => reads++)) expect.unreachable();
    expect(reads).toBe(0);
  });
});
