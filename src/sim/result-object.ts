// A job's result object in one of the documented shapes: the docs' "Point Cloud Segmentation" example (annotations
// naming the label keys, one mask per frame and lidar, the sensor data with each frame's point-cloud URL), its
// single-frame form (sensor_data.sensors[] and one ego_pose), or the legacy top-level legend and PCD mask url.
import { seededRandom } from './mask-text.js';
import {
  LEGACY_KEY_ZERO,
  legacyMaskPath,
  maskPath,
  pointCloudPath,
  uuid,
  type SimDataset,
  type SimJob,
} from './dataset.js';

export function resultObject(dataset: SimDataset, job: SimJob, storageOrigin: string): Record<string, unknown> {
  const random = seededRandom((dataset.seed * 7919 + job.index * 104_729 + 1 + dataset.revision(job.index)) >>> 0);
  const shape = dataset.shapeOf(job.index);
  if (shape === 'legacy') return legacyResult(dataset, job, storageOrigin, random);
  const single = shape === 'single-frame';
  const frameIds = Array.from({ length: single ? 1 : dataset.frames }, (_, frame) => String(frame));
  const { objects, annotations: allSightings } = dataset.annotations(job.index);
  const sightings = dataset.namesNoKey(job.index)
    ? []
    : allSightings.filter((sighting) => sighting.frame < frameIds.length);
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
        // The single-frame payload has no frame ids.
        ...(single ? {} : { frame_id: frameIds[frame]! }),
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
      ...(single ? {} : { frame_id: frameId }),
      label_url: storageOrigin + maskPath(job.index, frame, sensor),
      sensor_id: sensorId,
      type: 'segmentation3d',
      url: '',
    })),
  );
  const frameSensors = (frame: number) =>
    dataset.sensorIds.flatMap((sensorId, sensor) => {
      const cloud = storageOrigin + pointCloudPath(job.index, frame, sensor);
      if (!dataset.vendorSensors) {
        return [{ data_url: cloud, original_url: cloud, sensor_id: sensorId, sensor_pose: pose(random) }];
      }
      // As in the vendor's example: listed by sensor_meta name, the camera (whose data is not a point cloud) first.
      const image = `${storageOrigin}/images/${job.index}/${frame}/${sensor}`;
      return [
        { data_url: image, original_url: `${image}.jpg`, sensor_id: cameraName(sensor), sensor_pose: pose(random) },
        { data_url: cloud, original_url: cloud, sensor_id: lidarName(sensor), sensor_pose: pose(random) },
      ];
    });
  const sensorMeta = dataset.sensorIds.flatMap((sensorId, sensor) => {
    const lidar = {
      id: sensorId,
      modality: 'lidar',
      name: lidarName(sensor),
      primary_view: sensor === 0,
      state: 'editable',
    };
    if (!dataset.vendorSensors) return [lidar];
    const camera = { camera_model: 'brown_conrady', id: sensorId, modality: 'camera', name: cameraName(sensor) };
    return [{ ...camera, primary_view: false, state: 'editable' }, lidar];
  });
  const annotationData = {
    annotations,
    ...(single ? {} : { frames: frameIds.map((frameId) => ({ _id: frameId })) }),
    groups: null,
    masks,
    sensors: dataset.sensorIds.map((sensorId) => ({
      sensor_id: sensorId,
      sensor_type: dataset.vendorSensors ? 'CAMERA' : 'LIDAR',
    })),
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
  };
  if (single) {
    const egoPose = pose(random);
    return {
      annotation_data: annotationData,
      sensor_data: { ego_pose: egoPose, sensors: frameSensors(0), sensor_meta: sensorMeta },
    };
  }
  const frames = frameIds.map((frameId, frame) => ({
    ego_pose: pose(random),
    frame_id: frameId,
    sensors: frameSensors(frame),
  }));
  return { annotation_data: annotationData, sensor_data: { frames, sensor_meta: sensorMeta } };
}

/** The legacy result: an instance-aware legend (key 0 a class) and the url of the frame's PCD mask. */
function legacyResult(
  dataset: SimDataset,
  job: SimJob,
  storageOrigin: string,
  random: () => number,
): Record<string, unknown> {
  const entry = (key: number, text: string, value: string, color: string) => ({
    id: uuid(random),
    text,
    color,
    label_key: key,
    value,
  });
  const legend = dataset.namesNoKey(job.index)
    ? []
    : [
        entry(0, LEGACY_KEY_ZERO, LEGACY_KEY_ZERO, 'rgb(255, 255, 255)'),
        // The vendor's example spells the instance both ways: "MINIVAN # 1" (text), "MINIVAN #1" (value).
        ...dataset
          .legacyLegend(job.index)
          .map(({ key, className, instance, color }) =>
            entry(key, `${className} # ${instance}`, `${className} #${instance}`, color),
          ),
      ];
  return { legend: shuffled(legend, random), url: storageOrigin + legacyMaskPath(job.index, 0, 0) };
}

function cameraName(sensor: number): string {
  return sensor === 0 ? 'front_center_rgb' : `camera_${sensor}_rgb`;
}

function lidarName(sensor: number): string {
  return `lidar_${sensor}`;
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
