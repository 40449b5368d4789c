// Job statuses as the vendor spells them: `completed` on the API's pages, `COMPLETED` in its callbacks, `Complete`
// in a project's batch details. Compared after trimming, in any letter case, `complete` being `completed`.

const ALIASES: Readonly<Record<string, string>> = Object.freeze({ complete: 'completed' });

/** The form two spellings of one status share: `' Complete '` and `'COMPLETED'` are both `completed`. */
export function statusKey(status: string): string {
  const key = status.trim().toLowerCase();
  return ALIASES[key] ?? key;
}
