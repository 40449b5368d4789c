// Every documented shape of a result object, read here and nowhere else, into one JobDescription:
// - multi-frame (`annotation_data` + `sensor_data.frames[]`): the Point Cloud Segmentation example;
// - single frame (`annotation_data` + `sensor_data.sensors[]` and one `sensor_data.ego_pose`, no frames[]): one
//   frame, id "0" unless the result names one (annotation_data.frames[0]._id, sensor_data.frame_id, a mask's);
// - legacy (top level `{ legend, url }`): one frame "0", one mask with no sensor id (''), its PCD at `url`, whose
//   x y z columns are the frame's points.
// Anything else is BAD_RESULT_OBJECT, naming what the object holds instead.
import type { Pose } from '../api/types.js';
import type { Frame, FrameSensor, JobDescription, MaskRef, SensorMeta } from './job.js';
import { keyMeaningsOf } from './keys.js';
import { ResultObjectError } from './result-error.js';

type Json = Record<string, unknown>;

/** The frame id of a single-frame or legacy result that names none. */
export const DEFAULT_FRAME_ID = '0';
/** The sensor id of a legacy result's mask (it has none). */
export const LEGACY_SENSOR_ID = '';

/** The job description of a parsed result object. Throws ResultObjectError `BAD_RESULT_OBJECT`, `UNREADABLE_CLASS`. */
export function describeResult(result: unknown): JobDescription {
  if (!isObject(result)) {
    throw badResult(
      `the result object is ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}`,
    );
  }
  const data = result.annotation_data;
  if (data === undefined && typeof result.url === 'string' && Array.isArray(result.legend)) return legacy(result);
  if (!isObject(data)) {
    throw badResult(
      `the result object is none of the documented shapes (annotation_data, or a legacy legend and url): ${found(result)}`,
    );
  }
  const sensorData = isObject(result.sensor_data) ? result.sensor_data : {};
  const single = !Array.isArray(sensorData.frames) && Array.isArray(sensorData.sensors);
  const masks = listedMasks(data);
  const listedFrames = listOf(data.frames).map((frame) => text(frame?._id));
  let frames: Frame[];
  if (single) {
    const named = listedFrames[0] || text(sensorData.frame_id);
    const id = named || masks.find((mask) => mask.frameId !== '')?.frameId || DEFAULT_FRAME_ID;
    for (const mask of masks) if (mask.frameId === '') mask.frameId = id;
    frames = [{ id, egoPose: poseOf(sensorData.ego_pose), sensors: sensorsOf(sensorData.sensors) }];
  } else {
    frames = listOf(sensorData.frames).map((frame) => ({
      id: text(frame?.frame_id),
      egoPose: poseOf(frame?.ego_pose),
      sensors: sensorsOf(frame?.sensors),
    }));
  }
  // annotation_data.frames orders the frames, else sensor_data's order.
  const order = frameOrder(listedFrames.length > 0 ? listedFrames : frames.map((frame) => frame.id));
  const rank = (id: string) => order.get(id) ?? order.size;
  // Array.prototype.sort is stable: masks of one frame keep their order.
  masks.sort((a, b) => rank(a.frameId) - rank(b.frameId));
  frames.sort((a, b) => rank(a.id) - rank(b.id));
  return {
    shape: single ? 'single-frame' : 'frames',
    frames,
    masks,
    keys: keyMeaningsOf(data.annotations, data.legend),
    sensorMeta: sensorMetaOf(sensorData.sensor_meta),
  };
}

/** The masks of a result object, in frame order (see describeResult). Throws as describeResult does. */
export function masksOf(result: unknown): MaskRef[] {
  return describeResult(result).masks;
}

function legacy(result: Json): JobDescription {
  const url = result.url as string;
  if (url === '') throw badResult('the legacy result object has an empty url');
  const frame: Frame = {
    id: DEFAULT_FRAME_ID,
    egoPose: undefined,
    sensors: [{ sensorId: LEGACY_SENSOR_ID, dataUrl: url, pose: undefined }],
  };
  return {
    shape: 'legacy',
    frames: [frame],
    masks: [{ frameId: DEFAULT_FRAME_ID, sensorId: LEGACY_SENSOR_ID, labelUrl: url, maskId: '' }],
    keys: keyMeaningsOf(undefined, result.legend),
    sensorMeta: [],
  };
}

/** annotation_data.masks: the URL is `label_url`, or `url` when that is empty (older results). */
function listedMasks(data: Json): MaskRef[] {
  const masks = data.masks ?? [];
  if (!Array.isArray(masks)) throw badResult('annotation_data.masks is not an array');
  return masks.map((mask: unknown, index): MaskRef => {
    if (!isObject(mask)) throw badResult(`annotation_data.masks[${index}] is not an object`);
    const labelUrl = text(mask.label_url) || text(mask.url);
    if (!labelUrl) throw badResult(`annotation_data.masks[${index}] has no label_url`);
    return { frameId: text(mask.frame_id), sensorId: text(mask.sensor_id), labelUrl, maskId: text(mask._id) };
  });
}

function frameOrder(ids: readonly string[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const id of ids) if (!order.has(id)) order.set(id, order.size);
  return order;
}

function sensorsOf(sensors: unknown): FrameSensor[] {
  return listOf(sensors).map((sensor) => ({
    sensorId: text(sensor?.sensor_id),
    dataUrl: text(sensor?.data_url),
    pose: poseOf(sensor?.sensor_pose),
  }));
}

function sensorMetaOf(meta: unknown): SensorMeta[] {
  return listOf(meta).map((sensor) => ({
    id: text(sensor?.id),
    name: text(sensor?.name),
    modality: text(sensor?.modality),
  }));
}

function poseOf(pose: unknown): Pose | undefined {
  return isObject(pose) ? (pose as Pose) : undefined;
}

/** The objects of a list (anything else in it, and anything but a list, counts as nothing). */
function listOf(value: unknown): (Json | undefined)[] {
  return Array.isArray(value) ? value.map((item) => (isObject(item) ? item : undefined)) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

// What a result of no known shape holds instead: its first keys, each cut short (a server chose them).
const SHOWN_KEYS = 6;
const KEY_CHARS = 40;

function found(result: Json): string {
  const keys = Object.keys(result);
  if (keys.length === 0) return 'found an empty object';
  const shown = keys.slice(0, SHOWN_KEYS).map((key) => JSON.stringify(key.slice(0, KEY_CHARS)));
  const more = keys.length > SHOWN_KEYS ? ` and ${keys.length - SHOWN_KEYS} more` : '';
  const legacyHint =
    'legend' in result || 'url' in result
      ? ` (a legacy result needs both a legend array and a url string, with no annotation_data)`
      : '';
  return `found ${shown.join(', ')}${more}${legacyHint}`;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function badResult(message: string): ResultObjectError {
  return new ResultObjectError(message, 'BAD_RESULT_OBJECT');
}
