// `dataset nuscenes`' per-point work: the export's points rearranged into nuScenes' five float32 per point, and each
// point's class id mapped to its category index (uint8 lidarseg label) and, with instance ids, its uint16 panoptic
// label. Points without a finite x, y and z are left out of all three, so that the files stay aligned.

/** A float32's exponent bits: all set for an infinity or a NaN. */
const EXPONENT: u32 = 0x7f800000;
const CLOUD_POINT_BYTES: usize = 20; // x y z intensity ring

/**
 * Converts `count` points of `stride` float32 (x y z, intensity when 4) at `points`, with their uint16 class ids at
 * `labels` and instance ids at `instances` (0: none), each `idStride` bytes apart, through the uint8 category index
 * of each class id at `table` (65536 entries): writes the cloud (ring 0), lidarseg and, with instances, panoptic
 * labels; returns the points kept. The float32s are moved as their bits, never converted.
 */
export function nuScenesPoints(
  points: usize,
  stride: i32,
  labels: usize,
  instances: usize,
  idStride: i32,
  count: i32,
  table: usize,
  cloud: usize,
  lidarseg: usize,
  panoptic: usize,
): i32 {
  const step = <usize>stride << 2;
  const idStep = <usize>idStride;
  const withIntensity = stride == 4;
  let kept: usize = 0;
  let from = points;
  for (let i: usize = 0; i < <usize>count; i++, from += step) {
    const x = load<u32>(from);
    const y = load<u32>(from, 4);
    const z = load<u32>(from, 8);
    if ((x & EXPONENT) == EXPONENT || (y & EXPONENT) == EXPONENT || (z & EXPONENT) == EXPONENT) continue;
    const to = cloud + kept * CLOUD_POINT_BYTES;
    store<u32>(to, x);
    store<u32>(to, y, 4);
    store<u32>(to, z, 8);
    store<u32>(to, withIntensity ? load<u32>(from, 12) : 0, 12);
    store<u32>(to, 0, 16);
    const index = <u32>load<u8>(table + <usize>load<u16>(labels + i * idStep));
    store<u8>(lidarseg + kept, <u8>index);
    if (instances != 0) store<u16>(panoptic + (kept << 1), <u16>(index * 1000 + <u32>load<u16>(instances + i * idStep)));
    kept++;
  }
  return <i32>kept;
}
