// --instances: per point, the object it belongs to. Ids 1.. per job, one per track (`track_id`, the same object in
// every frame), in track id order (UTF-16 code units); an annotation without a track is an object of its own, after
// the tracks, in key order. An instance-aware legend's `"MINIVAN # 2"` is instance 2 as it says (numbered per class
// by the vendor), and the other objects come after its largest number; a legend entry without a number names a class,
// no object. 0 is no object. Where they are written is the format's choice: kitti puts them in the high 16 bits of
// each label (SemanticKITTI's panoptic layout), npy and bin in a file of their own next to the labels.
import { ExportError } from './export-error.js';
import type { KeyMeaning } from '../result/index.js';
import { type ExportFormat, FORMATS } from '../formats/index.js';

const MAX_INSTANCE = 0xffff;

/** label_key -> instance id, for every key of the job. */
export function instanceIdsOf(meanings: readonly KeyMeaning[]): Map<number, number> {
  const tracks = [...new Set(meanings.flatMap((meaning) => (meaning.trackId === undefined ? [] : [meaning.trackId])))];
  tracks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const numbered = meanings.reduce((max, meaning) => Math.max(max, meaning.instance ?? 0), 0);
  const trackIds = new Map(tracks.map((track, index) => [track, numbered + index + 1]));
  let next = numbered + tracks.length;
  const ids = new Map<number, number>();
  for (const { key, trackId, instance } of meanings) {
    const id = instance ?? (trackId === undefined ? ++next : trackIds.get(trackId)!);
    if (id > MAX_INSTANCE) throw new ExportError('TOO_MANY_INSTANCES', `the job has more than ${MAX_INSTANCE} objects`);
    ids.set(key, id);
  }
  return ids;
}

/** The instance file next to the label file `labelName`, or undefined where the label file holds the ids. */
export function instancesFileName(labelName: string, format: ExportFormat): string | undefined {
  const extension = FORMATS[format].instancesExtension;
  if (extension === undefined) return undefined;
  return labelName.slice(0, labelName.lastIndexOf('.')) + extension;
}
