// A job's result object in the shape of the docs' "Point Cloud Segmentation" example: annotations naming the label
// keys, one mask per frame and lidar, and the sensor data with each frame's point-cloud URL.
import { seededRandom } from './mask-text.js';
import { CLASS_NAMES, maskPath, pointCloudPath, uuid, type SimDataset, type SimJob } from './dataset.js';

const COLORS = ['rgb(71, 153, 193)', 'rgb(230, 25, 75)', 'rgb(60, 180, 75)', 'rgb(255, 225, 25)', 'rgb(145, 30, 180)'];

export function resultObject(dataset: SimDataset, job: SimJob, storageOrigin: string): Record<string, unknown> {
  const random = seededRandom((dataset.seed * 7919 + job.index * 104_729 + 1) >>> 0);
  const frameIds = Array.from({ length: dataset.frames }, (_, frame) => String(frame));
  const classes = [...CLASS_NAMES].map(([key, label], index) => ({
    key,
    label,
    classId: uuid(random),
    trackId: uuid(random),
    color: COLORS[index % COLORS.length]!,
  }));
  const annotations = frameIds.flatMap((frameId) =>
    classes.map((c) => ({
      _id: uuid(random),
      _isStationary: false,
      attributes: {},
      class_id: c.classId,
      color: c.color,
      frame_id: frameId,
      grouping_config: null,
      label: c.label,
      label_key: c.key,
      sensor_id: '',
      text: c.label,
      track_id: c.trackId,
      type: 'segmentation3d',
    })),
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
      tracks: classes.map((c) => ({
        _id: c.trackId,
        attributes: null,
        color: c.color,
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
