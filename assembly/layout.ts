/** First free byte after the module's static data, 64-byte aligned: the JS side lays its scratch region out from here. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}
