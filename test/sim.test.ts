// The simulator itself, probed with plain fetch: the tests of the client and the export trust what it serves.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { FaultPlan, SimDataset, startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';

const closing: Simulator[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((sim) => sim.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ jobs: 5, pageSize: 2, points: 300, record: true, ...options });
  closing.push(sim);
  return sim;
}

/** `run` throws (or rejects with) an InvalidArgumentError, code INVALID_ARGUMENT, whose message matches `message`. */
async function expectInvalid(run: () => unknown, message: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect(thrown).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
}

async function api(sim: Simulator, path: string, key: string | null = sim.apiKey) {
  const headers: Record<string, string> = key === null ? {} : { 'x-api-key': key };
  const response = await fetch(sim.baseUrl + path, { headers, redirect: 'manual' });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body) };
}

describe('SimDataset', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = new SimDataset({ seed: 7, jobs: 4 });
    const b = new SimDataset({ seed: 7, jobs: 4 });
    const c = new SimDataset({ seed: 8, jobs: 4 });
    expect(b.projectId).toBe(a.projectId);
    expect(b.jobs).toEqual(a.jobs);
    expect(b.maskText(3, 1, 0)).toBe(a.maskText(3, 1, 0));
    expect(c.projectId).not.toBe(a.projectId);
    expect(c.maskText(3, 1, 0)).not.toBe(a.maskText(3, 1, 0));
    expect(a.maskText(0, 0, 0)).not.toBe(a.maskText(0, 1, 0));
    expect(a.jobs[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('serves realistic mask text: one label per point, from the class set, in runs, wrapped in lines', () => {
    const dataset = new SimDataset({ points: 10_000 });
    const text = dataset.maskText(1, 0, 0);
    const labels: number[] = JSON.parse(text);
    expect(labels).toEqual(Array.from(dataset.maskLabels(1, 0, 0)));
    expect(labels).toHaveLength(10_000);
    // The keys of the frame's annotations, and 0 for points of no object.
    const keys = dataset
      .annotations(1)
      .annotations.filter((a) => a.frame === 0)
      .map((a) => a.key);
    expect(labels.every((label) => label === 0 || keys.includes(label))).toBe(true);
    expect(new Set(labels).size).toBeGreaterThan(2);
    let runs = 1;
    for (let i = 1; i < labels.length; i++) if (labels[i] !== labels[i - 1]) runs++;
    expect(runs).toBeLessThan(labels.length / 4);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((line) => line.length <= 81)).toBe(true);
  });

  it('takes any distinct job ids, and refuses duplicates', async () => {
    const ids = ['../x', 'a/b', 'a%2Fb', 'A/B'];
    expect(new SimDataset({ jobIds: ids }).jobs.map((job) => job.id)).toEqual(ids);
    await expectInvalid(() => new SimDataset({ jobIds: ['a', 'a'] }), /^options\.jobIds must be distinct/);
    await expectInvalid(() => new SimDataset({ points: -1 }), /^options\.points must be an integer >= 0$/);
  });

  it('refuses a job index the batch does not have', async () => {
    const dataset = new SimDataset({ jobs: 3 });
    await expectInvalid(() => dataset.relabel(3), /^job index 3 is no job of the batch \(it has 3\)$/);
    await expectInvalid(() => dataset.setStatus(-1, 'created'), /^job index -1 is no job/);
    expect(dataset.revision(0)).toBe(0);
  });

  it('issues page tokens above 2^53 that collide once turned into numbers', () => {
    const dataset = new SimDataset({ jobs: 10, pageSize: 3 });
    expect(dataset.pageCount).toBe(4);
    const tokens = [1, 2, 3].map((page) => dataset.pageToken(page));
    for (const token of tokens) expect(BigInt(token) > 2n ** 53n).toBe(true);
    expect(new Set(tokens.map(Number)).size).toBeLessThan(3);
    expect(dataset.pageOfToken(tokens[1]!)).toBe(2);
    expect(dataset.pageOfToken(String(Number(tokens[1])))).not.toBe(2);
  });

  it('gives each job classesPerJob classes of its own, or with sharedClasses the same ones', async () => {
    const classesOf = (dataset: SimDataset, job: number) => {
      const seen = new Set<string>();
      for (const { key } of dataset.annotations(job).annotations) seen.add(dataset.expectedClass(job, key)!.classId!);
      return seen;
    };
    const own = new SimDataset({ jobs: 4, classesPerJob: 60 });
    expect(own.classes).toHaveLength(240);
    expect(new Set(own.classes.map(({ classId }) => classId)).size).toBe(240);
    const perJob = [0, 1, 2, 3].map((job) => classesOf(own, job));
    for (const classes of perJob) expect(classes.size).toBe(60);
    expect(new Set(perJob.flatMap((classes) => [...classes])).size).toBe(240);
    const shared = new SimDataset({ jobs: 4, classesPerJob: 60, sharedClasses: true });
    expect(shared.classes).toHaveLength(60);
    const first = classesOf(shared, 0);
    expect(first.size).toBe(60);
    expect(classesOf(shared, 3)).toEqual(first);
    await expectInvalid(() => new SimDataset({ classesPerJob: 0 }), /^options\.classesPerJob must be an integer >= 1$/);
  });

  it('lists the expected masks job by job, frame by frame, sensor by sensor', () => {
    const dataset = new SimDataset({ jobs: 2, frames: 2, sensors: 2 });
    const masks = [...dataset.expectedMasks()];
    expect(masks).toHaveLength(8);
    const sensorId = dataset.sensorIds[1];
    expect(masks[5]).toMatchObject({ jobIndex: 1, frame: 0, sensor: 1, frameId: '0', sensorId });
    expect(masks[5]!.path).toBe('/masks/1/0/1.txt');
  });
});

describe('the API origin', () => {
  it('pages the batch as the docs show, ending with an empty page when asked', async () => {
    const sim = await simulator({ emptyLastPage: true });
    const pages = [];
    let token = '';
    do {
      const page = (await api(sim, `/v1/projects/${sim.projectId}/batch/${sim.batchId}?page_token=${token}`)).json();
      expect(page.success).toBe(true);
      pages.push(page.data);
      token = page.data.next_page_token ?? '';
    } while (token !== '');
    expect(pages.map((page) => page.jobs.length)).toEqual([2, 2, 1, 0]);
    expect(pages[3]).toHaveProperty('next_page_token', '');
    expect(pages[2].next_page_token).toMatch(/^\d{19}$/);
    const first = { id: sim.dataset.jobs[0]!.id, reference_id: '001', status: 'completed', frames: 2, annotations: 2 };
    expect(pages[0].jobs[0]).toEqual(first);
  });

  it('answers a bad page token with invalid_request_error, a wrong key with 401, an unknown job with 404', async () => {
    const sim = await simulator();
    const badToken = await api(sim, `/v1/projects/${sim.projectId}/batch/${sim.batchId}?page_token=123`);
    expect([badToken.status, badToken.json().error.code]).toEqual([400, 'invalid_request_error']);
    const noKey = await api(sim, `/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[0]!.id}`, null);
    expect([noKey.status, noKey.json().error.code]).toEqual([401, 'auth-failure']);
    const wrongKey = await api(sim, `/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[0]!.id}`, 'nope');
    expect(wrongKey.status).toBe(401);
    const unknown = await api(sim, `/v1/projects/${sim.projectId}/jobs/nope`);
    expect([unknown.status, unknown.json().error.code]).toEqual([404, 'not_found']);
    expect(sim.stats.unauthorized).toBe(2);
  });

  it('finds jobs by their decoded id, an encoded slash staying inside the id', async () => {
    const sim = await simulator({ jobIds: ['a/b', 'a', '../x'] });
    const job = (await api(sim, `/v1/projects/${sim.projectId}/jobs/a%2Fb`)).json().data;
    expect(job.job_id).toBe('a/b');
    expect((await api(sim, `/v1/projects/${sim.projectId}/jobs/a/b`)).status).toBe(404);
    expect((await api(sim, `/v1/projects/${sim.projectId}/jobs/%2E%2E%2Fx`)).json().data.job_id).toBe('../x');
  });

  it('gives a job result whose result object has the docs’ shape, naming the label keys', async () => {
    const sim = await simulator({ frames: 3, sensors: 2 });
    const job = (await api(sim, `/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[2]!.id}`)).json().data;
    const { projectId, batchId } = sim;
    expect(job).toMatchObject({ project_id: projectId, batch_id: batchId, reference_id: '003', status: 'completed' });
    expect(job.result).toBe(`${sim.storageUrl}/results/2.json`);
    const redirect = await api(sim, `/v1/attachments?${new URLSearchParams({ url: job.result })}`);
    const result = await (await fetch(redirect.headers.get('location')!)).json();
    const { annotation_data: data, sensor_data: sensors } = result;
    expect(data.frames).toEqual([{ _id: '0' }, { _id: '1' }, { _id: '2' }]);
    expect(data.masks).toHaveLength(6);
    expect(data.masks[3]).toMatchObject({
      frame_id: '1',
      sensor_id: sim.dataset.sensorIds[1],
      label_url: `${sim.storageUrl}/masks/2/1/1.txt`,
      type: 'segmentation3d',
      url: '',
    });
    type Annotation = { frame_id: string; label_key: number; label: string };
    const firstFrame = (data.annotations as Annotation[]).filter((a) => a.frame_id === '0');
    const named = new Map(firstFrame.map((a) => [a.label_key, a.label]));
    const { objects, annotations } = sim.dataset.annotations(2);
    const expected = annotations
      .filter((a) => a.frame === 0)
      .map((a) => [a.key, sim.dataset.classes[objects[a.object]!.classIndex]!.label] as const);
    expect(named).toEqual(new Map(expected));
    expect(named.has(0)).toBe(false);
    expect(firstFrame[0]).toMatchObject({ type: 'segmentation3d', sensor_id: '', text: firstFrame[0]!.label });
    expect(sensors.frames[1].sensors[0].data_url).toBe(`${sim.storageUrl}/pointclouds/2/1/0.pcd`);
    expect(sensors.sensor_meta.map((s: { modality: string }) => s.modality)).toEqual(['lidar', 'lidar']);
  });
});

describe('the storage origin', () => {
  it('serves a file only through a valid, unexpired signature from the attachment endpoint', async () => {
    const sim = await simulator({ signatureTtlMs: 500 });
    const maskUrl = `${sim.storageUrl}/masks/0/0/0.txt`;
    const direct = await fetch(maskUrl);
    expect([direct.status, await direct.text()]).toEqual([403, expect.stringContaining('AccessDenied')]);
    const redirect = await api(sim, `/v1/attachments?${new URLSearchParams({ url: maskUrl })}`);
    expect(redirect.status).toBe(302);
    const signed = redirect.headers.get('location')!;
    expect(signed.startsWith(`${maskUrl}?`)).toBe(true);
    expect(await (await fetch(signed)).text()).toBe(sim.dataset.maskText(0, 0, 0));
    const tampered = signed.replace(/X-Sim-Signature=./, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    expect((await fetch(tampered)).status).toBe(403);
    const otherFile = signed.replace('/0.txt?', '/1.txt?');
    expect((await fetch(otherFile)).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const expired = await fetch(signed);
    expect([expired.status, await expired.text()]).toEqual([403, expect.stringContaining('Request has expired')]);
    expect(sim.stats.accessDenied).toBe(4);
    expect(sim.stats.storageRequestsWithKey).toBe(0);
  });

  it('counts every storage request that carries the key', async () => {
    const sim = await simulator();
    const maskUrl = `${sim.storageUrl}/masks/0/0/0.txt`;
    await (await fetch(maskUrl, { headers: { 'x-api-key': sim.apiKey } })).text();
    await (await fetch(maskUrl, { headers: { authorization: `Bearer ${sim.apiKey}` } })).text();
    await (await fetch(maskUrl)).text();
    expect(sim.stats.storageRequests).toBe(3);
    expect(sim.stats.storageRequestsWithKey).toBe(2);
  });

  it('refuses attachments that are not on the storage host, or do not exist', async () => {
    const sim = await simulator();
    const { storageUrl } = sim;
    const elsewhere = 'http://elsewhere/masks/0/0/0.txt';
    for (const url of [elsewhere, `${storageUrl}/masks/99/0/0.txt`, `${storageUrl}/masks/0/0/5.txt`, '']) {
      expect((await api(sim, `/v1/attachments?${new URLSearchParams({ url })}`)).status).toBe(404);
    }
    expect(sim.stats.redirects).toBe(0);
  });

  it('listens on 127.0.0.2, a different origin from the API', async () => {
    const sim = await simulator();
    expect(new URL(sim.baseUrl).hostname).toBe('127.0.0.1');
    expect(new URL(sim.storageUrl).hostname).toBe('127.0.0.2');
  });

  it('generates each file once while the cache holds it, all of them up front with preload()', async () => {
    const sim = await simulator({ jobs: 3, frames: 2 });
    sim.preload();
    expect(sim.stats.filesGenerated).toBe(3 + 6);
    for (const mask of sim.dataset.expectedMasks()) {
      const redirect = await api(sim, `/v1/attachments?${new URLSearchParams({ url: sim.storageUrl + mask.path })}`);
      expect(await (await fetch(redirect.headers.get('location')!)).text()).toBe(
        sim.dataset.maskText(mask.jobIndex, mask.frame, mask.sensor),
      );
    }
    expect(sim.stats.filesGenerated).toBe(9);
    const withPoints = await simulator({ jobs: 3, frames: 2 });
    withPoints.preload({ pointClouds: true });
    expect(withPoints.stats.filesGenerated).toBe(3 + 6 + 6);
    const tiny = await simulator({ jobs: 3, frames: 2, cacheBytes: 10 });
    tiny.preload();
    tiny.preload();
    expect(tiny.stats.filesGenerated).toBe(18);
  });

  it('answers 500 when making a file fails, and goes on serving', async () => {
    class BrokenMasks extends SimDataset {
      override maskText(): string {
        throw new Error('boom');
      }
    }
    const sim = await simulator({ dataset: new BrokenMasks({ jobs: 1 }) });
    const signed = async (path: string) => {
      const redirect = await api(sim, `/v1/attachments?${new URLSearchParams({ url: sim.storageUrl + path })}`);
      return fetch(redirect.headers.get('location')!);
    };
    const broken = await signed('/masks/0/0/0.txt');
    expect([broken.status, await broken.text()]).toEqual([500, 'simulator error: boom']);
    expect((await signed('/results/0.json')).status).toBe(200);
  });

  it('compresses when asked and accepted', async () => {
    const sim = await simulator({ compression: 'br' });
    const query = new URLSearchParams({ url: `${sim.storageUrl}/masks/0/0/0.txt` });
    const redirect = await api(sim, `/v1/attachments?${query}`);
    const response = await fetch(redirect.headers.get('location')!, { headers: { 'accept-encoding': 'br' } });
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(await response.text()).toBe(sim.dataset.maskText(0, 0, 0));
  });
});

describe('faults', () => {
  it('draws the same faults from the same seed, at about the rate asked', () => {
    const draw = (seed: number) => {
      const plan = new FaultPlan({ rate: 0.1, seed });
      return Array.from({ length: 20_000 }, () => plan.next('job'));
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    expect(draw(6)).not.toEqual(a);
    const share = a.filter(Boolean).length / a.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect(new Set(a.filter(Boolean))).toEqual(new Set(['http500', 'http503', 'http429', 'retryable400', 'reset']));
  });

  it('draws only faults that apply to the route', () => {
    const plan = new FaultPlan({ rate: 1, kinds: ['retryable400', 'expired'] });
    expect(new Set(Array.from({ length: 200 }, () => plan.next('storage')))).toEqual(new Set(['expired']));
    expect(new Set(Array.from({ length: 200 }, () => plan.next('job')))).toEqual(new Set(['retryable400']));
  });

  it('plays scripted faults first, on their route, the number of times asked', async () => {
    const plan = new FaultPlan();
    plan.inject('reset', { route: 'storage', count: 2 });
    plan.inject('final400');
    expect(plan.next('job')).toBe('final400');
    expect(plan.next('job')).toBeUndefined();
    expect([plan.next('storage'), plan.next('storage'), plan.next('storage')]).toEqual(['reset', 'reset', undefined]);
    await expectInvalid(
      () => plan.inject('badJson', { route: 'storage' }),
      /^fault 'badJson' does not apply to route 'storage'$/,
    );
  });

  it('refuses random fault kinds that none of the routes can give, the default kinds only where they apply', async () => {
    const words =
      /^options\.faults\.kinds badJson applies to none of options\.faults\.routes storage,attachment \(only to batch, job\)$/;
    await expectInvalid(
      () => new FaultPlan({ kinds: ['http500', 'badJson'], routes: ['storage', 'attachment'] }),
      words,
    );
    await expectInvalid(
      () => startSimulator({ faults: { kinds: ['badJson'], routes: ['storage', 'attachment'] } }),
      words,
    );
    const storageOnly = new FaultPlan({ rate: 1, routes: ['storage'] });
    const drawn = new Set(Array.from({ length: 200 }, () => storageOnly.next('storage')));
    expect(drawn).toEqual(new Set(['http500', 'http503', 'reset', 'expired']));
    expect(storageOnly.next('job')).toBeUndefined();
  });

  it('sends what each fault promises', async () => {
    const sim = await simulator({ faults: { retryAfterSeconds: 7 } });
    const path = `/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[0]!.id}`;
    sim.faults.inject('http429', { route: 'job' });
    const limited = await api(sim, path);
    const answer = [limited.status, limited.headers.get('retry-after'), limited.json().error.code];
    expect(answer).toEqual([429, '7', 'rate_limit_exceeded']);
    sim.faults.inject('http503', { route: 'job' });
    const unavailable = await api(sim, path);
    expect(unavailable.status).toBe(503);
    expect(Date.parse(unavailable.headers.get('retry-after')!)).toBeGreaterThan(Date.now());
    sim.faults.inject('http500', { route: 'job' });
    expect((await api(sim, path)).body).toContain('<html>');
    sim.faults.inject('retryable400', { route: 'job' });
    expect((await api(sim, path)).json().error.code).toBe('FS_0000');
    sim.faults.inject('badJson', { route: 'job' });
    const garbled = await api(sim, path);
    expect(() => garbled.json()).toThrow(SyntaxError);
    sim.faults.inject('reset', { route: 'job' });
    await expect(api(sim, path)).rejects.toThrow();
    expect(sim.stats.faultsInjected).toBe(6);
    expect(sim.stats.faults).toEqual({ http429: 1, http503: 1, http500: 1, retryable400: 1, badJson: 1, reset: 1 });
  });

  it('closes promptly with a stalled connection open', async () => {
    const sim = await startSimulator({ jobs: 1, faults: { stallMs: 60_000 } });
    sim.faults.inject('stall', { route: 'job' });
    const stalled = fetch(`${sim.baseUrl}/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[0]!.id}`, {
      headers: { 'x-api-key': sim.apiKey },
    }).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.close();
    await expect(stalled).rejects.toThrow();
  });
});
