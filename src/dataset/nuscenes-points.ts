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
/** Bytes per point of a frame's decoded ids: class and instance id, uint16 each. */
const ID_BYTES = 2;

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
    return this.#layout(frame).end <= this.#core.buffer.byteLength;
  }

  /** The frame in nuScenes' layout, in output slot `slot` (0 or 1). */
  convert(frame: FrameData, slot: number): NuScenesPoints {
    const { points: count, labels, instances, idWords, values, stride } = frame;
    const at = this.#layout(frame);
    this.#core.reserve(at.end);
    let ids: { labels: number; instances: number; stride: number };
    if (idWords) {
      this.#core.u8.set(idWords.bytes, at.ids);
      const { classOffset, instanceOffset, stride } = idWords.layout;
      ids = { labels: at.ids + classOffset, instances: at.ids + instanceOffset, stride };
    } else {
      const instancesAt = at.ids + align64(count * ID_BYTES);
      copyIn(this.#core, labels, at.ids);
      if (instances) copyIn(this.#core, instances, instancesAt);
      ids = { labels: at.ids, instances: instances ? instancesAt : 0, stride: ID_BYTES };
    }
    copyIn(this.#core, values, at.points);
    const cloudAt = at.outputs[slot]!;
    const lidarsegAt = cloudAt + count * CLOUD_POINT_BYTES;
    const panopticAt = lidarsegAt + count;
    const kept = this.#core.exports.nuScenesPoints(
      at.points,
      stride,
      ids.labels,
      ids.instances,
      ids.stride,
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
      panoptic: ids.instances === 0 ? undefined : new Uint8Array(memory, panopticAt, kept * 2),
      kept,
    };
  }

  /** Where a frame's ids, points and two outputs go, and the end of them. */
  #layout({ points: count, idWords, stride }: FrameData): {
    ids: number;
    points: number;
    outputs: number[];
    end: number;
  } {
    const ids = this.#input;
    const points = ids + align64(count * (idWords ? idWords.layout.stride : 2 * ID_BYTES));
    const output = points + align64(count * stride * 4);
    const outputBytes = align64(count * OUTPUT_POINT_BYTES);
    return { ids, points, outputs: [output, output + outputBytes], end: output + 2 * outputBytes };
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
