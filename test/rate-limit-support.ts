// What the rate-limit tests share: a recording simulator, clients and exports against it, all closed after each test.
import { afterEach } from 'vitest';
import { exportBatch, PlaymentClient, type PlaymentClientOptions } from '../src/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';
import { removeTempDirs, tempDir } from './export-support.js';

const closing: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
  await removeTempDirs();
});

/** Closes `item` after the running test. */
export function closeAfterTest(item: { close(): Promise<void> }): void {
  closing.push(item);
}

export async function simulator(options: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator({ points: 200, pageSize: 25, record: true, ...options });
  closing.push(sim);
  return sim;
}

export function clientOf(sim: Simulator, options: Partial<PlaymentClientOptions> = {}): PlaymentClient {
  const client = new PlaymentClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, ...options });
  closing.push(client);
  return client;
}

export async function exportWith(sim: Simulator, client: PlaymentClient) {
  const outDir = await tempDir('rate-');
  return exportBatch({ client, projectId: sim.projectId, batchId: sim.batchId, outDir, threads: 1 });
}

/** The API requests the simulator answered with its rate limit's 429. */
export const refused = (sim: Simulator) => sim.requests.filter((r) => r.origin === 'api' && r.status === 429);
