// The vendor's result objects, every documented shape, as one internal job description.
export { describeResult, masksOf } from './describe.js';
export { cloudOf } from './sensors.js';
export { hexColor } from './color.js';
export { ResultObjectError } from './result-error.js';
export type { JobClass, KeyMeaning } from './keys.js';
export type { Frame, FrameSensor, JobDescription, MaskRef, ResultShape, SensorMeta } from './job.js';
