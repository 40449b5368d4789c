// The first state of a job, from its batch page alone (src/export/job.ts listedJob): listed, skipped or failed.
import { describe, expect, it } from 'vitest';
import type { BatchJob } from '../src/api/index.js';
import { InvalidResultError } from '../src/export/export-error.js';
import { listedJob } from '../src/export/job.js';

// As resolveExportOptions gives them: statusKey() -> the spelling given.
const COMPLETED = new Map([['completed', 'completed']]);
const job = (fields: Record<string, unknown>) => fields as unknown as BatchJob;

describe('listedJob', () => {
  it.each([
    ['a completed job', { id: 'a', status: 'completed', reference_id: 'r' }, COMPLETED, { state: 'listed' }],
    ['any status without a filter', { id: 'a', status: 'labelling' }, undefined, { state: 'listed' }],
    ['a status spelt otherwise', { id: 'a', status: 'COMPLETED' }, COMPLETED, { state: 'listed' }],
    ['a listing without a status (its result tells)', { id: 'a' }, COMPLETED, { state: 'listed' }],
    ['a status not asked for', { id: 'a', status: 'labelling' }, COMPLETED, { state: 'skipped', status: 'labelling' }],
    ['a numeric reference_id', { id: 'a', status: 'completed', reference_id: 7 }, COMPLETED, { state: 'listed' }],
  ])('%s', (_, fields, statuses, expected) => {
    expect(listedJob(job(fields), statuses)).toEqual(expected);
  });

  it.each([
    ['no id', { status: 'completed' }, 'the job has no string id'],
    ['a numeric id', { id: 1, status: 'completed' }, 'the job has no string id'],
    [
      'a reference_id that is an object',
      { id: 'a', status: 'completed', reference_id: {} },
      "the job's reference_id is not a string",
    ],
  ])('fails %s (INVALID_RESULT)', (_, fields, message) => {
    const listing = listedJob(job(fields), COMPLETED);
    expect(listing.state).toBe('failed');
    const error = (listing as { error: unknown }).error;
    expect(error).toBeInstanceOf(InvalidResultError);
    expect(error).toMatchObject({ code: 'INVALID_RESULT', message });
  });

  it('skips a job for its status before looking at its reference_id, and fails a null job without throwing', () => {
    expect(listedJob(job({ id: 'a', status: 'labelling', reference_id: [] }), COMPLETED)).toEqual({
      state: 'skipped',
      status: 'labelling',
    });
    expect(listedJob(null as unknown as BatchJob, COMPLETED).state).toBe('failed');
  });
});
