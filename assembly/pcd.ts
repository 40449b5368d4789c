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
