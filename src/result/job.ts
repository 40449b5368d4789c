// The one internal description of a job's result, whatever shape the vendor wrote it in (see describe.ts).
import type { Pose } from '../api/types.js';
import type { KeyMeaning } from './keys.js';

/** The documented shapes of a result object. */
export type ResultShape = 'frames' | 'single-frame' | 'legacy';

/** One mask of a result object. */
export interface MaskRef {
  frameId: string;
  sensorId: string;
  /** The private URL of the mask file: fetch it with `client.attachment()`. */
  labelUrl: string;
  /** The mask's `_id` ('' when it has none). */
  maskId: string;
}

/** One sensor's data in one frame. */
export interface FrameSensor {
  sensorId: string;
  /** The private URL of its data ('' when none is given): a PCD file for a lidar. */
  dataUrl: string;
  pose: Pose | undefined;
}

export interface Frame {
  id: string;
  egoPose: Pose | undefined;
  sensors: FrameSensor[];
}

/** A `sensor_meta` entry: a sensor's id, name and modality ('' where not given). */
export interface SensorMeta {
  id: string;
  name: string;
  modality: string;
}

export interface JobDescription {
  shape: ResultShape;
  /** In the result's frame order. */
  frames: Frame[];
  /** In frame order, masks of one frame in their listed order. */
  masks: MaskRef[];
  /** Every label_key the result names, in key order. */
  keys: KeyMeaning[];
  sensorMeta: SensorMeta[];
}
