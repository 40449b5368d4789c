// What a labelled job holds, as the vendor's Point Cloud Segmentation results model it: objects (tracks) of the
// batch's classes, seen in some of the job's frames, each sighting an annotation with its own label_key. The keys are
// shuffled and unique in the job, so key 7 is a car in one job and a tree in the next. Deterministic from a seed.
import { seededRandom } from './mask-text.js';

/** A class of the simulated project's taxonomy. */
export interface SimClass {
  /** The vendor's class id; absent for a class that only has a label (exporters must fall back to the label). */
  classId?: string;
  label: string;
  color: string;
}

/** One object of a job: the same `trackId` in every frame it is seen in. */
export interface SimObject {
  trackId: string;
  classIndex: number;
}

/** One annotation: an object in a frame, with the label_key its points carry in that frame's masks. */
export interface SimAnnotation {
  id: string;
  key: number;
  frame: number;
  object: number;
  /** The class of this sighting when it differs from its object's (a planted labelling slip). */
  classIndex?: number;
}

export interface JobAnnotations {
  objects: SimObject[];
  /** In frame order, objects of one frame in object order. */
  annotations: SimAnnotation[];
}

// Names and colours of the taxonomy; two classes share the name "Vehicle" (distinct class ids: never merged) and
// "Pole" has no class id. Ids are drawn per batch seed.
const TAXONOMY: readonly { label: string; color: string; withId: boolean }[] = [
  { label: 'Vehicle', color: 'rgb(71, 153, 193)', withId: true },
  { label: 'Pedestrian', color: 'rgb(230, 25, 75)', withId: true },
  { label: 'Cyclist', color: 'rgb(60, 180, 75)', withId: true },
  { label: 'Road', color: 'rgb(255, 225, 25)', withId: true },
  { label: 'Sidewalk', color: 'rgb(145, 30, 180)', withId: true },
  { label: 'Building', color: 'rgb(70, 240, 240)', withId: true },
  { label: 'Vegetation', color: 'rgb(0, 128, 0)', withId: true },
  { label: 'Pole', color: 'rgb(128, 128, 128)', withId: false },
  { label: 'Vehicle', color: 'rgb(0, 0, 128)', withId: true },
];

/** The batch's classes: the same for every job of a dataset; `count` numbered classes instead of the taxonomy. */
export function simClasses(seed: number, uuid: (random: () => number) => string, count?: number): SimClass[] {
  const random = seededRandom((seed * 2_654_435_761 + 97) >>> 0);
  if (count !== undefined) {
    return Array.from({ length: count }, (_, i) => ({
      classId: uuid(random),
      label: `Class ${i + 1}`,
      color: `rgb(${(i * 67) % 256}, ${(i * 131) % 256}, ${(i * 197) % 256})`,
    }));
  }
  return TAXONOMY.map(({ label, color, withId }) => {
    const classId = uuid(random);
    return withId ? { classId, label, color } : { label, color };
  });
}

/**
 * The objects and annotations of one job for `frames` frames: 4 to 9 objects (the first, a road, in every frame;
 * the others each in a frame with probability 3/4, and in at least one), keys a shuffled draw from 1..4n+20.
 * With `objectClasses`, one object per class given instead.
 */
export function jobAnnotations(
  seed: number,
  frames: number,
  classCount: number,
  uuid: (random: () => number) => string,
  objectClasses?: readonly number[],
): JobAnnotations {
  const random = seededRandom(seed);
  const count = objectClasses?.length ?? 4 + Math.floor(random() * 6);
  const objects: SimObject[] = Array.from({ length: count }, (_, index) => ({
    trackId: uuid(random),
    classIndex: objectClasses?.[index] ?? (index === 0 ? 3 : Math.floor(random() * classCount)),
  }));
  const sightings: { frame: number; object: number }[] = [];
  objects.forEach((_, object) => {
    const seen = Array.from({ length: frames }, () => object === 0 || random() < 0.75);
    if (!seen.includes(true)) seen[Math.floor(random() * frames)] = true;
    seen.forEach((inFrame, frame) => inFrame && sightings.push({ frame, object }));
  });
  sightings.sort((a, b) => a.frame - b.frame || a.object - b.object);
  const keys = shuffledKeys(sightings.length, random);
  const annotations = sightings.map((sighting, i) => ({ id: uuid(random), key: keys[i]!, ...sighting }));
  return { objects, annotations };
}

function shuffledKeys(count: number, random: () => number): number[] {
  const pool = Array.from({ length: count * 4 + 20 }, (_, i) => i + 1);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
