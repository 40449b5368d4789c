// `dataset nuscenes`' per-point work: the export's points rearranged into nuScenes' five float32 per point, and each
// point's class id mapped to its category index (uint8 lidarseg label) and, with instance ids, its uint16 panoptic
// label. Points without a finite x, y and z are left out of all three, so that the files stay aligned.

/** A float32's exponent bits: all set for an infinity or a NaN. */
const EXPONENT: i32 = 0x7f800000;
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
  const exponent = i32x4.splat(EXPONENT);
  // Without intensity, the fourth lane loaded is the next point's x: it is set to 0.
  const keepLanes = stride == 4 ? i32x4.splat(-1) : i32x4(-1, -1, -1, 0);
  let kept: usize = 0;
  let from = points;
  for (let i: usize = 0; i < <usize>count; i++, from += step) {
    // The point as one vector: x, y, z and intensity (or the next point's x: the memory after the points is the
    // caller's, never past the end).
    const point = v128.load(from);
    if (i32x4.bitmask(i32x4.eq(v128.and(point, exponent), exponent)) & 0b0111) continue;
    const to = cloud + kept * CLOUD_POINT_BYTES;
    v128.store(to, v128.and(point, keepLanes));
    store<u32>(to, 0, 16);
    const index = <u32>load<u8>(table + <usize>load<u16>(labels + i * idStep));
    store<u8>(lidarseg + kept, <u8>index);
    if (instances != 0) store<u16>(panoptic + (kept << 1), <u16>(index * 1000 + <u32>load<u16>(instances + i * idStep)));
    kept++;
  }
  return <i32>kept;
}
