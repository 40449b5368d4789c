// Class names as training sets key classes: nuScenes' colour map and category lookups and Hugging Face's ClassLabel
// are by name, so two classes of one name (annotations with different class ids) must not share one.
import type { ClassEntry } from '../export/classes.js';

/** The entries' names, in order; a name given before gets its class id (else its id) appended: `Vehicle (veh-2)`. */
export function uniqueNames(entries: readonly ClassEntry[]): string[] {
  const seen = new Set<string>();
  return entries.map((entry) => {
    let name = entry.name;
    if (seen.has(name)) name = `${name} (${entry.class_id ?? entry.id})`;
    seen.add(name);
    return name;
  });
}
