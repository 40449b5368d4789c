import { ResultObjectError } from './errors.js';
import type { MaskEntry, MaskRef, ResultObject } from './types.js';

/**
 * The masks of a result object, one per frame and sensor, in frame order: the order of `annotation_data.frames`
 * (or of `sensor_data.frames` when that is absent), masks of one frame in their listed order, masks of unlisted
 * frames last. The URL is `label_url`, or `url` when `label_url` is empty (older results).
 * Throws ResultObjectError `BAD_RESULT_OBJECT` when the object has no `annotation_data` or a mask has no URL.
 */
export function masksOf(result: ResultObject): MaskRef[] {
  const data = (result as Partial<ResultObject> | null)?.annotation_data;
  if (data === null || typeof data !== 'object') throw badResult('the result object has no annotation_data');
  const masks: unknown = data.masks ?? [];
  if (!Array.isArray(masks)) throw badResult('annotation_data.masks is not an array');
  const frameOrder = new Map<string, number>();
  const frames = data.frames ?? result.sensor_data?.frames ?? [];
  if (Array.isArray(frames)) {
    for (const frame of frames) {
      const id = text(frame?._id ?? frame?.frame_id);
      if (!frameOrder.has(id)) frameOrder.set(id, frameOrder.size);
    }
  }
  const refs = masks.map((mask: MaskEntry, index): MaskRef => {
    if (mask === null || typeof mask !== 'object') throw badResult(`annotation_data.masks[${index}] is not an object`);
    const labelUrl = text(mask.label_url) || text(mask.url);
    if (!labelUrl) throw badResult(`annotation_data.masks[${index}] has no label_url`);
    return { frameId: text(mask.frame_id), sensorId: text(mask.sensor_id), labelUrl, maskId: text(mask._id) };
  });
  const rank = (ref: MaskRef) => frameOrder.get(ref.frameId) ?? frameOrder.size;
  // Array.prototype.sort is stable: masks of one frame keep their order.
  return refs.sort((a, b) => rank(a) - rank(b));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function badResult(message: string): ResultObjectError {
  return new ResultObjectError(message);
}
