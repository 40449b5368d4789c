// The JSON of the Playment API, as its docs show it. Every object keeps fields the docs do not list (the index
// signatures): the API adds fields over time, and they are passed through, never rejected.

type Open = { [field: string]: unknown };

/** One job in a batch page. */
export interface BatchJob extends Open {
  id: string;
  reference_id?: string;
  status?: string;
  frames?: number;
  annotations?: number;
}

/** The `data` of one page of `GET /v1/projects/:project_id/batch/:batch_id`. */
export interface BatchPage extends Open {
  id?: string;
  project_id?: string;
  name?: string;
  jobs: BatchJob[];
  /** An opaque string (it may hold a number above 2^53); absent or empty on the last page. */
  next_page_token?: string;
}

/** The `data` of `GET /v1/projects/:project_id/jobs/:job_id`. */
export interface JobResult extends Open {
  project_id?: string;
  reference_id?: string;
  job_id?: string;
  batch_id?: string;
  status?: string;
  work_flow_id?: string;
  priority_weight?: number;
  tag?: string;
  /** The private URL of the result object: fetch it with `client.attachment()`. Absent until the job completes. */
  result?: string;
}

/** An annotation of a point-cloud segmentation: the class that `label_key` stands for in the masks. */
export interface Annotation extends Open {
  _id?: string;
  label?: string;
  label_key?: number;
  frame_id?: string;
  sensor_id?: string;
  type?: string;
  class_id?: string;
  color?: string;
  track_id?: string;
}

/** One mask file: the labels of one frame as seen by one sensor. */
export interface MaskEntry extends Open {
  _id?: string;
  frame_id?: string;
  sensor_id?: string;
  /** The private URL of the mask file. */
  label_url?: string;
  type?: string;
  url?: string;
}

/** A legend entry of the older results: `text` (or `value`) names the class, `"MINIVAN # 1"` an object of it. */
export interface LegendEntry extends Open {
  id?: string | number;
  text?: string;
  value?: string;
  color?: string;
  label?: string;
  label_key?: number;
}

export interface AnnotationData extends Open {
  annotations?: Annotation[];
  frames?: Array<{ _id?: string } & Open>;
  groups?: unknown;
  masks?: MaskEntry[];
  sensors?: Array<{ sensor_id?: string; sensor_type?: string } & Open>;
  tracks?: Open[];
  legend?: LegendEntry[];
}

export interface Pose extends Open {
  heading?: { w?: number; x?: number; y?: number; z?: number } & Open;
  position?: { x?: number; y?: number; z?: number } & Open;
}

export interface SensorFrameData extends Open {
  /** The private URL of this sensor's data for the frame: a PCD file for a lidar. */
  data_url?: string;
  original_url?: string;
  sensor_id?: string;
  sensor_pose?: Pose;
}

export interface SensorData extends Open {
  /** Single-frame results: the frame's sensors and ego pose, without frames[]. */
  sensors?: SensorFrameData[];
  ego_pose?: Pose;
  frames?: Array<{ frame_id?: string; ego_pose?: Pose; sensors?: SensorFrameData[] } & Open>;
  sensor_meta?: Array<{ id?: string; modality?: string; name?: string; primary_view?: boolean } & Open>;
}

/**
 * The result object behind a job result's `result` URL: `annotation_data` and `sensor_data` (multi-frame or single
 * frame), or, in older projects, a top-level `legend` and PCD mask `url`. describeResult() reads every shape.
 */
export interface ResultObject extends Open {
  annotation_data?: AnnotationData;
  sensor_data?: SensorData;
  legend?: LegendEntry[];
  url?: string;
}
