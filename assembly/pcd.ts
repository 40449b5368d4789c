// PCD `DATA binary` stores records point after point; the API wants one array per field.

/** Copies `width` bytes of each of `points` records `stride` bytes apart, from `src`, to `dst` back to back. */
export function gatherField(src: usize, points: i32, stride: i32, width: i32, dst: usize): void {
  const n = <usize>points;
  const step = <usize>stride;
  if (width == 4) {
    for (let i: usize = 0; i < n; i++) store<u32>(dst + (i << 2), load<u32>(src + i * step));
  } else if (width == 8) {
    for (let i: usize = 0; i < n; i++) store<u64>(dst + (i << 3), load<u64>(src + i * step));
  } else if (width == 2) {
    for (let i: usize = 0; i < n; i++) store<u16>(dst + (i << 1), load<u16>(src + i * step));
  } else if (width == 1) {
    for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i * step));
  } else {
    const w = <usize>width;
    for (let i: usize = 0; i < n; i++) memory.copy(dst + i * w, src + i * step, w);
  }
}

/**
 * Splits `points` records of four 4-byte words (16 bytes, such as x, y, z and intensity as float32) at `src` into four
 * columns, `points` words each, one after the other from `dst`: in one pass, four records at a time transposed in SIMD
 * registers, where gatherField would take four strided passes.
 */
export function gatherWords4(src: usize, points: i32, dst: usize): void {
  const n = <usize>points;
  const column = n << 2;
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const p = src + (i << 4);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    // First and second words of records 0 1 | 2 3, then third and fourth.
    const ab01 = v128.shuffle<i32>(a, b, 0, 4, 1, 5);
    const cd01 = v128.shuffle<i32>(c, d, 0, 4, 1, 5);
    const ab23 = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
    const cd23 = v128.shuffle<i32>(c, d, 2, 6, 3, 7);
    const q = dst + (i << 2);
    v128.store(q, v128.shuffle<i64>(ab01, cd01, 0, 2));
    v128.store(q + column, v128.shuffle<i64>(ab01, cd01, 1, 3));
    v128.store(q + column * 2, v128.shuffle<i64>(ab23, cd23, 0, 2));
    v128.store(q + column * 3, v128.shuffle<i64>(ab23, cd23, 1, 3));
  }
  for (; i < n; i++) {
    const p = src + (i << 4);
    const q = dst + (i << 2);
    store<u32>(q, load<u32>(p));
    store<u32>(q + column, load<u32>(p, 4));
    store<u32>(q + column * 2, load<u32>(p, 8));
    store<u32>(q + column * 3, load<u32>(p, 12));
  }
}
