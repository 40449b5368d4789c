// Which lidar's cloud a mask labels. A mask names its sensor by one id; in the vendor's own example that id is a
// `sensor_meta` id (shared there by a camera and a lidar), while the frame lists its sensors by `sensor_meta` name.
// So: the frame's sensor with exactly the mask's sensor_id; else, through sensor_meta (the entries whose id, then
// whose name, is the mask's sensor_id; lidars first), the frame's sensor listed under such an entry's name or id.
import type { FrameSensor, JobDescription, MaskRef, SensorMeta } from './job.js';
import { ResultObjectError } from './result-error.js';

const LIDAR = 'lidar';
// Lists in an error message are cut short: a server chose them.
const SHOWN = 8;
const ID_CHARS = 60;

/**
 * The frame sensor whose data is the point cloud of `mask`. Throws ResultObjectError `NO_POINT_CLOUD` naming what
 * the frame lists and what sensor_meta says when none has a data_url.
 */
export function cloudOf(job: JobDescription, mask: MaskRef): FrameSensor {
  const frame = job.frames.find((candidate) => candidate.id === mask.frameId);
  const listed = (id: string) => frame?.sensors.find((sensor) => sensor.sensorId === id && sensor.dataUrl !== '');
  const exact = listed(mask.sensorId);
  if (exact) return exact;
  for (const meta of metaOf(job.sensorMeta, mask.sensorId)) {
    const found = listed(meta.name) ?? listed(meta.id);
    if (found) return found;
  }
  const frameSays = frame
    ? `the frame lists ${shownList(frame.sensors.map((sensor) => sensor.sensorId + (sensor.dataUrl ? '' : ' (no data_url)')))}`
    : 'the result has no such frame';
  const metaSays =
    job.sensorMeta.length === 0
      ? 'there is no sensor_meta'
      : `sensor_meta says ${shownList(job.sensorMeta.map((meta) => `${meta.id} = ${meta.name || '?'} (${meta.modality || '?'})`))}`;
  throw new ResultObjectError(
    `frame ${clip(mask.frameId)} has no point cloud (data_url) for sensor ${clip(mask.sensorId)}: ${frameSays}; ${metaSays}`,
    'NO_POINT_CLOUD',
  );
}

/** The sensor_meta entries a mask's sensor id may stand for: by id, then by name; lidars first within each. */
function metaOf(meta: readonly SensorMeta[], sensorId: string): SensorMeta[] {
  const lidarFirst = (entries: SensorMeta[]) => [
    ...entries.filter((entry) => entry.modality.toLowerCase() === LIDAR),
    ...entries.filter((entry) => entry.modality.toLowerCase() !== LIDAR),
  ];
  return [
    ...lidarFirst(meta.filter((entry) => entry.id === sensorId)),
    ...lidarFirst(meta.filter((entry) => entry.name === sensorId && entry.id !== sensorId)),
  ];
}

function shownList(items: readonly string[]): string {
  if (items.length === 0) return 'no sensor';
  const shown = items.slice(0, SHOWN).map(clip);
  return `[${shown.join(', ')}${items.length > SHOWN ? `, and ${items.length - SHOWN} more` : ''}]`;
}

function clip(text: string): string {
  const shown = text.length > ID_CHARS ? `${text.slice(0, ID_CHARS)}...` : text;
  return shown === '' ? '""' : shown;
}
