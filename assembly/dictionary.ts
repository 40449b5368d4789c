// Parquet dictionary encoding (Encodings.md: RLE_DICTIONARY, one bit-packed run of the RLE / bit-packed hybrid): the
// distinct values once, then each value's index among them bit-packed. For 16-bit ids (class and instance ids), the
// dictionary ascending; for 32-bit words (the bits of float32 values such as intensities), in the order values first
// appear, found through a hash table, given up past a bound.

/**
 * Writes the distinct values of the `count` u16 at `valuesPtr`, ascending, at `dictionaryPtr` (u16 each), using the
 * index table at `indexPtr` (65,536 i32), and replaces each value by its index. Returns the number of distinct values.
 */
export function dictionaryOf(valuesPtr: usize, count: i32, indexPtr: usize, dictionaryPtr: usize): i32 {
  memory.fill(indexPtr, 0, 65536 * 4);
  const end = valuesPtr + (<usize>count << 1);
  for (let p = valuesPtr; p < end; p += 2) store<i32>(indexPtr + (<usize>load<u16>(p) << 2), 1);
  let distinct = 0;
  for (let value = 0; value < 65536; value++) {
    const slot = indexPtr + (<usize>value << 2);
    if (load<i32>(slot) == 0) continue;
    store<i32>(slot, distinct);
    store<u16>(dictionaryPtr + (<usize>distinct << 1), <u16>value);
    distinct++;
  }
  for (let p = valuesPtr; p < end; p += 2) store<u16>(p, <u16>load<i32>(indexPtr + (<usize>load<u16>(p) << 2)));
  return distinct;
}

/** Slots of the hash table of wordDictionaryAdd (u32 each): twice the most distinct words, so probes stay short. */
const WORD_TABLE_BITS: u32 = 16;
/** The most distinct words a dictionary takes: indices of at most 15 bits (16 would take half of 32 without it). */
const MAX_WORDS: i32 = 1 << 15;

/**
 * Adds the `count` u32 words at `valuesPtr` to the dictionary at `dictionaryPtr` (u32 each) that holds `distinct`
 * words so far (new words after them), through the hash table at `tablePtr` (2^16 u32, each 0 or a word's index + 1;
 * zeroed by the caller before the first call), and writes each word's index as u16 at `indicesPtr` (which may be
 * `valuesPtr` or before it: each index is written after its word is read). Returns the words now in the dictionary,
 * or -1 once they would be over 32,768.
 */
export function wordDictionaryAdd(
  valuesPtr: usize,
  count: i32,
  tablePtr: usize,
  dictionaryPtr: usize,
  distinct: i32,
  indicesPtr: usize,
): i32 {
  const mask: u32 = (1 << WORD_TABLE_BITS) - 1;
  let size = distinct;
  for (let i: usize = 0; i < <usize>count; i++) {
    const word = load<u32>(valuesPtr + (i << 2));
    let slot = (word * 0x9e3779b1) >> (32 - WORD_TABLE_BITS);
    let index: i32 = 0;
    while (true) {
      const entry = load<u32>(tablePtr + (<usize>slot << 2));
      if (entry == 0) {
        if (size == MAX_WORDS) return -1;
        index = size++;
        store<u32>(tablePtr + (<usize>slot << 2), <u32>size);
        store<u32>(dictionaryPtr + (<usize>index << 2), word);
        break;
      }
      if (load<u32>(dictionaryPtr + (<usize>(entry - 1) << 2)) == word) {
        index = <i32>entry - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
    store<u16>(indicesPtr + (i << 1), <u16>index);
  }
  return size;
}

/**
 * The `count` u16 indices at `indicesPtr` in `bitWidth` bits (1 to 16), packed least significant bit first, eight
 * values a group, the last group padded with zeros, at `outPtr`. Returns the bytes written: ceil(count / 8) *
 * bitWidth. The caller gives 8 bytes of room after them.
 */
export function bitPack(indicesPtr: usize, count: i32, bitWidth: i32, outPtr: usize): i32 {
  const end = indicesPtr + (<usize>count << 1);
  const width = <u64>bitWidth;
  let op = outPtr;
  let pending: u64 = 0;
  let bits: u64 = 0;
  for (let p = indicesPtr; p < end; p += 2) {
    pending |= <u64>load<u16>(p) << bits;
    bits += width;
    if (bits >= 32) {
      store<u32>(op, <u32>pending);
      op += 4;
      pending >>= 32;
      bits -= 32;
    }
  }
  store<u64>(op, pending);
  const length = ((count + 7) >> 3) * bitWidth;
  // Zeros from the last value's bits to the end of its group.
  const written = <i32>(op - outPtr) + <i32>((bits + 7) >> 3);
  if (written < length) memory.fill(outPtr + <usize>written, 0, <usize>(length - written));
  return length;
}
