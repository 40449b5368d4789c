// The older generation of point-cloud segmentation results, which the simulator serves with `legacyMasks`: a
// `legend[]` of { label, label_key } instead of annotations, and per frame and sensor a PCD mask (`FIELDS x y z
// label_key`, the key stored as a float, DATA ascii) at the mask's `url`, its `label_url` empty.
import { legacyMaskPath, type SimDataset, type SimJob } from './dataset.js';
import { writePcd } from './pcd-writer.js';
import { pointCloudFields } from './point-cloud.js';
import { resultObject } from './result-object.js';

interface ModernMask {
  frame_id: string;
  sensor_id: string;
}

/** The job's result object as the older generation wrote it: same frames and sensors, a legend, PCD masks. */
export function legacyResultObject(dataset: SimDataset, job: SimJob, storageOrigin: string): Record<string, unknown> {
  const modern = resultObject(dataset, job, storageOrigin) as {
    annotation_data: { masks: ModernMask[]; annotations?: unknown; tracks?: unknown } & Record<string, unknown>;
  };
  const { annotations: _annotations, tracks: _tracks, ...annotationData } = modern.annotation_data;
  return {
    ...modern,
    annotation_data: {
      ...annotationData,
      legend: dataset.annotations(job.index).annotations.map(({ key, object }) => ({
        label: dataset.classes[dataset.annotations(job.index).objects[object]!.classIndex]!.label,
        label_key: key,
      })),
      masks: modern.annotation_data.masks.map((mask) => ({
        ...mask,
        label_url: '',
        url:
          storageOrigin + legacyMaskPath(job.index, Number(mask.frame_id), dataset.sensorIds.indexOf(mask.sensor_id)),
      })),
    },
  };
}

/** The legacy PCD mask of (job, frame, sensor): the frame's points with the mask's labels as a float column. */
export function legacyMaskFile(dataset: SimDataset, jobIndex: number, frame: number, sensor: number): Uint8Array {
  const [x, y, z] = pointCloudFields(dataset, jobIndex, frame, sensor);
  const labels = dataset.maskLabels(jobIndex, frame, sensor);
  const label = { name: 'label_key', type: 'F', size: 4, values: labels } as const;
  return writePcd([x!, y!, z!, label], dataset.points, 'ascii');
}
