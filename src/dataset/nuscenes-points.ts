// A frame's points in nuScenes' layout, made by the WebAssembly core (assembly/nuscenes.ts): the .pcd.bin (float32
// x y z intensity ring; intensity 0 unless the export is kitti, ring 0: the export keeps no ring), the uint8 lidarseg
// labels and the uint16 panoptic labels of the points with a finite x, y and z. Points without one are left out of
// all three, so that the files stay aligned (the export's kitti format does the same). The export's files are read
// straight into the core's memory and the tree's files written from it: no copy on either side.
import type { IndexLine } from '../export/records.js';
import { type WasmCore, wasmCore } from '../core/wasm.js';
import { align64, pcdScratchStart } from '../pcd/scratch.js';
import {
  type ExportTree,
  type FrameBuffers,
  type FrameData,
  LITTLE_ENDIAN,
  ReadBuffers,
  readSizes,
} from './export-reader.js';
import { npzScratchBytes } from './npz.js';

const CLASS_IDS = 0x10000;
const CLOUD_POINT_BYTES = 20; // float32 x y z intensity ring
/** Bytes per point of a frame's output: cloud, lidarseg (uint8) and panoptic (uint16) labels. */
const OUTPUT_POINT_BYTES = CLOUD_POINT_BYTES + 1 + 2;
/** The core reads each point as 16 bytes: x y z and the next point's x where there is no intensity. */
const READ_PAST = 16;

export interface NuScenesPoints {
  cloud: Uint8Array;
  lidarseg: Uint8Array;
  /** The uint16 panoptic labels as their little-endian bytes, with instance ids; else undefined. */
  panoptic: Uint8Array | undefined;
  kept: number;
}

/** Where one turn's files are read and ids decoded, and one frame's output goes: offsets in the core's memory. */
interface Turn {
  labels: number;
  points: number;
  labelValues: number;
  instanceValues: number;
  output: number;
}

/**
 * The core's memory as this thread lays it out for a run of frames: the category index of each class id, then two
 * turns of input and output (readFrames reads frames into turns 0, 1, 0...), each sized for the run's largest frame,
 * then the region where a frame's panoptic .npz is compressed (npzScratch).
 * The memory grows only in startRun(), when no read or write is in flight: the views handed out stay valid for the
 * run (a view on memory that grows is detached). These are the read buffers (FrameBuffers) of the run's frames; on a
 * big-endian machine, decoded values are arrays of their own, copied in as little-endian.
 */
export class NuScenesPointsCore implements FrameBuffers {
  readonly #core: WasmCore = wasmCore();
  readonly #table = pcdScratchStart(this.#core);
  readonly #own = new ReadBuffers();
  #turns: Turn[] = [];
  #capacity = { labels: 0, points: 0, values: 0 };
  #npzScratch = 0;

  /** Lays the memory out for the frames of `lines`, with `indexOfClass` (the category index of each class id). */
  startRun(tree: ExportTree, lines: readonly IndexLine[], indexOfClass: Uint8Array): void {
    const most = { labels: 0, points: 0, values: 0 };
    for (const line of lines) {
      const sizes = readSizes(tree, line);
      most.labels = Math.max(most.labels, sizes.labels);
      most.points = Math.max(most.points, sizes.points);
      most.values = Math.max(most.values, line.points);
    }
    const turnBytes = [
      align64(most.labels),
      align64(most.points + READ_PAST),
      align64(most.values * 2),
      align64(most.values * 2),
      align64(most.values * OUTPUT_POINT_BYTES),
    ];
    const turnSize = turnBytes.reduce((sum, bytes) => sum + bytes, 0);
    const first = this.#table + CLASS_IDS;
    this.#turns = [0, 1].map((t) => {
      const [labels, points, labelValues, instanceValues, output] = turnBytes.map(
        (_, k) => first + t * turnSize + turnBytes.slice(0, k).reduce((sum, bytes) => sum + bytes, 0),
      ) as [number, number, number, number, number];
      return { labels, points, labelValues, instanceValues, output };
    });
    this.#capacity = most;
    this.#npzScratch = first + 2 * turnSize;
    this.#core.reserve(this.#npzScratch + npzScratchBytes(most.values));
    this.#core.u8.set(indexOfClass.subarray(0, CLASS_IDS), this.#table);
  }

  /** Where the run's panoptic .npz files are compressed (uint16Npz's scratch), for up to the run's most points. */
  get npzScratch(): number {
    return this.#npzScratch;
  }

  take(kind: 'labels' | 'points', turn: number, size: number): Uint8Array {
    if (size > this.#capacity[kind]) throw new RangeError(`a ${kind} file of ${size} bytes in a run laid out for less`);
    return new Uint8Array(this.#core.buffer, this.#turns[turn % 2]![kind], size);
  }

  values(kind: 'labels' | 'instances', turn: number, length: number): Uint16Array {
    if (length > this.#capacity.values) throw new RangeError(`${length} values in a run laid out for less`);
    if (!LITTLE_ENDIAN) return this.#own.values(kind, turn, length);
    const at = this.#turns[turn % 2]![kind === 'labels' ? 'labelValues' : 'instanceValues'];
    return new Uint16Array(this.#core.buffer, at, length);
  }

  /** Frame `turn` of the run, read into this memory, in nuScenes' layout: views valid until turn + 2 is converted. */
  convert(frame: FrameData, turn: number): NuScenesPoints {
    const { points: count, labels, instances, idWords, values, stride } = frame;
    const at = this.#turns[turn % 2]!;
    let ids: { labels: number; instances: number; stride: number };
    if (idWords) {
      const words = this.#inCore(idWords.bytes, at.labels);
      const { classOffset, instanceOffset, stride } = idWords.layout;
      ids = { labels: words + classOffset, instances: words + instanceOffset, stride };
    } else {
      const instancesAt = instances ? this.#inCore(instances, at.instanceValues) : 0;
      ids = { labels: this.#inCore(labels, at.labelValues), instances: instancesAt, stride: 2 };
    }
    const pointsAt = this.#inCore(values, at.points);
    const cloudAt = at.output;
    const lidarsegAt = cloudAt + count * CLOUD_POINT_BYTES;
    const panopticAt = lidarsegAt + count;
    const kept = this.#core.exports.nuScenesPoints(
      pointsAt,
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

  /**
   * Where `array` is in the core's memory: where it was read or decoded, or else (on a big-endian machine, values
   * decoded or converted to its byte order) copied to `place`, as little-endian.
   */
  #inCore(array: Uint8Array | Uint16Array | Float32Array, place: number): number {
    if (array.buffer === this.#core.buffer) return array.byteOffset;
    if (LITTLE_ENDIAN || array instanceof Uint8Array) {
      this.#core.u8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), place);
      return place;
    }
    const view = new DataView(this.#core.buffer, place, array.byteLength);
    if (array instanceof Uint16Array) for (let i = 0; i < array.length; i++) view.setUint16(i * 2, array[i]!, true);
    else for (let i = 0; i < array.length; i++) view.setFloat32(i * 4, array[i]!, true);
    return place;
  }
}
