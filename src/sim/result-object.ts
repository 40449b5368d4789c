// A job's result object in the shape of the docs' "Point Cloud Segmentation" example: annotations naming the label
// keys, one mask per frame and lidar, and the sensor data with each frame's point-cloud URL.
import { seededRandom } from './mask-text.js';
import { maskPath, pointCloudPath, type SimDataset, type SimJob } from './dataset.js';

export function resultObject(dataset: SimDataset, job: SimJob, storageOrigin: string): Record<string, unknown> {
  const random = seededRandom((dataset.seed * 7919 + job.index * 104_729 + 1 + dataset.revision(job.index)) >>> 0);
  const frameIds = Array.from({ length: dataset.frames }, (_, frame) => String(frame));
  const { objects, annotations: sightings } = dataset.annotations(job.index);
  // The vendor's annotations come in no particular order: shuffled, so that nothing may rely on it.
  const annotations = shuffled(
    sightings.map(({ id, key, frame, object, classIndex: sightingClass }) => {
      const { trackId, classIndex } = objects[object]!;
      const { classId, label, color } = dataset.classes[sightingClass ?? classIndex]!;
      return {
        _id: id,
        _isStationary: false,
        attributes: {},
        ...(classId === undefined ? {} : { class_id: classId }),
        color,
        frame_id: frameIds[frame]!,
        grouping_config: null,
        label,
        label_key: key,
        sensor_id: '',
        text: label,
        track_id: trackId,
        type: 'segmentation3d',
      };
    }),
    random,
  );
  const masks = frameIds.flatMap((frameId, frame) =>
    dataset.sensorIds.map((sensorId, sensor) => ({
      _id: dataset.maskId(job.index, frame, sensor),
      frame_id: frameId,
      label_url: storageOrigin + maskPath(job.index, frame, sensor),
      sensor_id: sensorId,
      type: 'segmentation3d',
      url: '',
    })),
  );
  const frames = frameIds.map((frameId, frame) => ({
    ego_pose: pose(random),
    frame_id: frameId,
    sensors: dataset.sensorIds.map((sensorId, sensor) => ({
      data_url: storageOrigin + pointCloudPath(job.index, frame, sensor),
      original_url: storageOrigin + pointCloudPath(job.index, frame, sensor),
      sensor_id: sensorId,
      sensor_pose: pose(random),
    })),
  }));
  return {
    annotation_data: {
      annotations,
      frames: frameIds.map((frameId) => ({ _id: frameId })),
      groups: null,
      masks,
      sensors: dataset.sensorIds.map((sensorId) => ({ sensor_id: sensorId, sensor_type: 'LIDAR' })),
      tracks: objects.map(({ trackId, classIndex }) => ({
        _id: trackId,
        attributes: null,
        color: dataset.classes[classIndex]!.color,
        grouping_config: null,
        label: '',
        label_id: null,
        state: '',
        type: '',
      })),
    },
    sensor_data: {
      frames,
      sensor_meta: dataset.sensorIds.map((sensorId, sensor) => ({
        id: sensorId,
        modality: 'lidar',
        name: `lidar_${sensor}`,
        primary_view: sensor === 0,
        state: 'editable',
      })),
    },
  };
}

function pose(random: () => number) {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    heading: { w: round(0.95 + random() * 0.05), x: 0, y: round(-random() * 0.05), z: round(random() * 0.3) },
    position: { x: round(-50 + random() * 100), y: round(-10 + random() * 20), z: round(-1 - random()) },
  };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
