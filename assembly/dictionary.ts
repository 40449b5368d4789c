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
 * bitWidth. The caller gives 16 bytes of room after them (the two stores of the last group).
 */
export function bitPack(indicesPtr: usize, count: i32, bitWidth: i32, outPtr: usize): i32 {
  const width = <u64>bitWidth;
  let op = outPtr;
  let p = indicesPtr;
  // Whole groups, then the last.
  const groupsEnd = indicesPtr + (<usize>(count >> 3) << 4);
  for (; p < groupsEnd; p += 16) {
    op = storeGroup(op, quarter(p, width), quarter(p + 8, width), width);
  }
  // The last group: its values, then zeros.
  if ((count & 7) != 0) {
    let low: u64 = 0;
    let high: u64 = 0;
    const end = indicesPtr + (<usize>count << 1);
    for (let j: u64 = 0; p < end; p += 2, j++) {
      const value = <u64>load<u16>(p);
      if (j < 4) low |= value << (j * width);
      else high |= value << ((j - 4) * width);
    }
    storeGroup(op, low, high, width);
  }
  return ((count + 7) >> 3) * bitWidth;
}

/**
 * A group of eight values, `low` the first four and `high` the last four in `width` bits each, as its 8 * width bits
 * (`width` bytes) at `op`, in two 64-bit stores; returns where the next group goes.
 */
@inline
function storeGroup(op: usize, low: u64, high: u64, width: u64): usize {
  const half = width << 2;
  store<u64>(op, half == 64 ? low : low | (high << half));
  store<u64>(op, high >> (64 - half), 8);
  return op + <usize>width;
}

/** The four u16 indices at `p` in `width` bits each, the first in the lowest bits. */
@inline
function quarter(p: usize, width: u64): u64 {
  return (
    <u64>load<u16>(p) |
    (<u64>load<u16>(p, 2) << width) |
    (<u64>load<u16>(p, 4) << (width << 1)) |
    (<u64>load<u16>(p, 6) << (width * 3))
  );
}
