// A frame's points in nuScenes' layout, made by the WebAssembly core (assembly/nuscenes.ts): the .pcd.bin (float32
// x y z intensity ring; intensity 0 unless the export is kitti, ring 0: the export keeps no ring), the uint8 lidarseg
// labels and the uint16 panoptic labels of the points with a finite x, y and z. Points without one are left out of
// all three, so that the files stay aligned (the export's kitti format does the same). The per-point loop in
// JavaScript took about 4 ms per 100,000 points; in the core, about 0.5 ms plus 0.2 ms of copying in.
import { type WasmCore, wasmCore } from '../core/wasm.js';
import { align64, pcdScratchStart } from '../pcd/scratch.js';
import { type FrameData, LITTLE_ENDIAN } from './export-reader.js';

const CLASS_IDS = 0x10000;
const CLOUD_POINT_BYTES = 20; // float32 x y z intensity ring
/** Bytes per point of a frame's output: cloud, lidarseg (uint8) and panoptic (uint16) labels. */
const OUTPUT_POINT_BYTES = CLOUD_POINT_BYTES + 1 + 2;
/** Bytes per point of a frame's input: class and instance ids (uint16 each) and at most 4 float32. */
const INPUT_POINT_BYTES = 2 + 2 + 16;

export interface NuScenesPoints {
  cloud: Uint8Array;
  lidarseg: Uint8Array;
  /** The uint16 panoptic labels as their little-endian bytes, with instance ids; else undefined. */
  panoptic: Uint8Array | undefined;
  kept: number;
}

/**
 * The core's memory as this thread lays it out: the category index of each class id, one frame's input, and two
 * frames' output (one frame's files are written from it while the next frame's are made). The outputs are views on
 * the core's memory, valid until convert() is called again for the same `slot`, and only while the memory does not
 * grow: a frame that does not fits() makes it grow, so its caller waits first for the writes still in flight.
 */
export class NuScenesPointsCore {
  readonly #core: WasmCore = wasmCore();
  readonly #table = pcdScratchStart(this.#core);
  readonly #input = this.#table + CLASS_IDS;

  /** Uses `indexOfClass` (the category index of each class id, 65536 entries) for the frames that follow. */
  useTable(indexOfClass: Uint8Array): void {
    this.#core.reserve(this.#input);
    this.#core.u8.set(indexOfClass.subarray(0, CLASS_IDS), this.#table);
  }

  /** Whether `frame` converts without the core's memory growing. */
  fits(frame: FrameData): boolean {
    return this.#end(frame.labels.length) <= this.#core.buffer.byteLength;
  }

  /** The frame in nuScenes' layout, in output slot `slot` (0 or 1). */
  convert(frame: FrameData, slot: number): NuScenesPoints {
    const { labels, instances, values, stride } = frame;
    const count = labels.length;
    this.#core.reserve(this.#end(count));
    const labelsAt = this.#input;
    const instancesAt = labelsAt + align64(count * 2);
    const pointsAt = instancesAt + align64(count * 2);
    const cloudAt = this.#input + align64(count * INPUT_POINT_BYTES) + slot * align64(count * OUTPUT_POINT_BYTES);
    const lidarsegAt = cloudAt + count * CLOUD_POINT_BYTES;
    const panopticAt = lidarsegAt + count;
    copyIn(this.#core, labels, labelsAt);
    if (instances) copyIn(this.#core, instances, instancesAt);
    copyIn(this.#core, values, pointsAt);
    const kept = this.#core.exports.nuScenesPoints(
      pointsAt,
      stride,
      labelsAt,
      instances ? instancesAt : 0,
      count,
      this.#table,
      cloudAt,
      lidarsegAt,
      panopticAt,
    );
    const memory = this.#core.buffer;
    return {
      cloud: new Uint8Array(memory, cloudAt, kept * CLOUD_POINT_BYTES),
      lidarseg: new Uint8Array(memory, lidarsegAt, kept),
      panoptic: instances && new Uint8Array(memory, panopticAt, kept * 2),
      kept,
    };
  }

  #end(count: number): number {
    return this.#input + align64(count * INPUT_POINT_BYTES) + 2 * align64(count * OUTPUT_POINT_BYTES);
  }
}

/** `values` into the core's (little-endian) memory at `at`: one copy of their bytes where the machine is little-endian. */
function copyIn(core: WasmCore, values: Uint16Array | Float32Array, at: number): void {
  if (LITTLE_ENDIAN) {
    core.u8.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(core.buffer, at, values.byteLength);
  if (values instanceof Uint16Array) for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i]!, true);
  else for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
}
