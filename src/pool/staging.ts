// Where a mask's bytes wait for a worker: shared memory, one region per decode in flight, reused from task to task.
// The caller's bytes are copied once, into memory the worker reads in place: no clone on either side, and, once
// regions are there to reuse, no fresh allocation per mask (a new buffer's page faults cost several times the copy).
// A mask is staged at the offset that keeps its bytes' address modulo 8, for the copies in and out to go a word at a
// time (shared-mask.ts).
import { WORD_BYTES } from '../decode/shared-mask.js';

/** A region's bytes as the worker sees them: `length` bytes from `offset` (below 8). */
export interface StagedBytes {
  buffer: SharedArrayBuffer;
  offset: number;
  length: number;
}

const PAGE_BYTES = 4096;
const encoder = new TextEncoder();

/**
 * Shared regions handed out and back. A released region is kept for the next masks while the free ones total no
 * more than the larger of a floor the pool sets and the most bytes that were handed out at once since the last
 * trim(): a burst that needed that much finds its regions again the next time (a new region's first touch costs more
 * than the copy into it), and trim() brings what is kept back to the floor once the pool is idle.
 */
export class Staging {
  readonly #free: SharedArrayBuffer[] = [];
  #freeBytes = 0;
  /** Bytes of the regions handed out and not released yet, and the most of them at once since the last trim(). */
  #inUse = 0;
  #peak = 0;

  /** A region holding `bytes` (a copy), or the UTF-8 of `text`. Give it back with release() once the worker is done. */
  stage(input: Uint8Array | string): StagedBytes {
    const staged = this.#copy(input);
    this.#inUse += staged.buffer.byteLength;
    this.#peak = Math.max(this.#peak, this.#inUse);
    return staged;
  }

  /** Keeps the region for reuse while the free ones total at most max(`keepBytes`, the peak since the last trim). */
  release(buffer: SharedArrayBuffer, keepBytes: number): void {
    this.#inUse -= buffer.byteLength;
    if (this.#freeBytes + buffer.byteLength <= Math.max(keepBytes, this.#peak)) this.#keep(buffer);
  }

  /** Drops free regions, least recently used first, until they total at most `keepBytes`; the peak starts anew. */
  trim(keepBytes: number): void {
    while (this.#freeBytes > keepBytes) this.#freeBytes -= this.#free.shift()!.byteLength;
    this.#peak = this.#inUse;
  }

  #copy(input: Uint8Array | string): StagedBytes {
    if (typeof input !== 'string') {
      const offset = input.byteOffset % WORD_BYTES;
      const buffer = this.#take(offset + input.byteLength);
      new Uint8Array(buffer, offset, input.byteLength).set(input);
      return { buffer, offset, length: input.byteLength };
    }
    // Mask text is ASCII: one byte per code unit first, the UTF-8 worst case (3 per code unit) only if that is short.
    let buffer = this.#take(input.length);
    let encoded = encoder.encodeInto(input, new Uint8Array(buffer, 0, input.length));
    if (encoded.read < input.length) {
      this.#keep(buffer);
      buffer = this.#take(input.length * 3);
      encoded = encoder.encodeInto(input, new Uint8Array(buffer, 0, input.length * 3));
    }
    return { buffer, offset: 0, length: encoded.written };
  }

  #keep(buffer: SharedArrayBuffer): void {
    this.#free.push(buffer);
    this.#freeBytes += buffer.byteLength;
  }

  #take(size: number): SharedArrayBuffer {
    // The most recently used region first: its pages are the likeliest to be in cache.
    for (let i = this.#free.length - 1; i >= 0; i--) {
      if (this.#free[i]!.byteLength >= size) {
        const [region] = this.#free.splice(i, 1);
        this.#freeBytes -= region!.byteLength;
        return region!;
      }
    }
    // None big enough: the least recently used is dropped for a larger one.
    this.#freeBytes -= this.#free.shift()?.byteLength ?? 0;
    // A quarter more than asked, so that masks of slowly rising size do not each need a new region.
    return new SharedArrayBuffer(Math.ceil((size + (size >> 2)) / PAGE_BYTES) * PAGE_BYTES);
  }
}
