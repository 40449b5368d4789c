// Parquet dictionary encoding of 16-bit ids (class and instance ids): the distinct values, ascending, and each value's
// index among them bit-packed (Encodings.md: RLE_DICTIONARY, one bit-packed run of the RLE / bit-packed hybrid).

/**
 * Writes the distinct values of the `count` u16 at `valuesPtr`, ascending, at `dictionaryPtr` (u16 each), and sets
 * the index table at `indexPtr` (65,536 i32) to each present value's index. Returns the number of distinct values.
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
  return distinct;
}

/**
 * Each of the `count` u16 values at `valuesPtr` replaced by its index (the table dictionaryOf set) in `bitWidth` bits
 * (1 to 16), packed least significant bit first, eight values a group, the last group padded with zeros, at `outPtr`.
 * Returns the bytes written: ceil(count / 8) * bitWidth. The caller gives 8 bytes of room after them.
 */
export function bitPack(valuesPtr: usize, count: i32, indexPtr: usize, bitWidth: i32, outPtr: usize): i32 {
  const end = valuesPtr + (<usize>count << 1);
  const width = <u64>bitWidth;
  let op = outPtr;
  let pending: u64 = 0;
  let bits: u64 = 0;
  for (let p = valuesPtr; p < end; p += 2) {
    pending |= <u64>load<i32>(indexPtr + (<usize>load<u16>(p) << 2)) << bits;
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
