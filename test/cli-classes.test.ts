// The export's closing lines with thousands of classes: the most common few by name, the rest counted, classes.json
// holding them all.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatMaskText, resultText, startHostileServer, type HostileServer } from '../src/sim/index.js';
import { run } from './cli-support.js';
import { removeTempDirs, tempDir } from './export-support.js';

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(removeTempDirs);

describe('the export command with many classes', { timeout: 120_000 }, () => {
  it('names the top classes by points and counts the rest, pointing at classes.json; stdout under 4 KB', async () => {
    const count = 3000;
    // Long names, so that the line would pass 4 KB after a few dozen of them.
    const classes = Array.from({ length: count }, (_, i) => ({
      key: i + 1,
      label: `class ${i + 1} ${'x'.repeat(90)}`,
    }));
    // Every key once; key 3000 five more times, so it leads, and key 2999 three more times, second.
    const labels = [...classes.map(({ key }) => key), 3000, 3000, 3000, 3000, 3000, 2999, 2999, 2999];
    const server = await startHostileServer({
      jobs: [
        { id: 'j1', result: { body: resultText([{ frameId: '0', sensorId: 'l', url: 'private://m0' }], classes) } },
      ],
      files: new Map([['private://m0', { body: formatMaskText(labels) }]]),
    });
    servers.push(server);
    const out = await tempDir();
    const args = ['export', '--base-url', server.baseUrl, '--project', server.projectId, '--batch', server.batchId];
    const outcome = await run([...args, '--out', out, '--threads', '1'], { PLAYMENT_API_KEY: server.apiKey });
    expect(outcome.code).toBe(0);
    expect(Buffer.byteLength(outcome.stdout)).toBeLessThan(4096);
    const line = outcome.stdout.split('\n').find((text) => text.startsWith('Classes (id name points): '))!;
    expect(line).toMatch(/, \.\.\. and 2990 more \(classes\.json\)$/);
    const table = JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')) as {
      classes: Array<{ id: number; name: string }>;
    };
    expect(table.classes).toHaveLength(count + 1);
    const idOf = (label: string) => table.classes.find(({ name }) => name === label)!.id;
    const first = line.slice('Classes (id name points): '.length).split(', ');
    expect(first[0]).toMatch(new RegExp(`^${idOf(classes[2999]!.label)} "class 3000 x+…" 6$`));
    expect(first[1]).toMatch(new RegExp(`^${idOf(classes[2998]!.label)} "class 2999 x+…" 4$`));
    expect(first).toHaveLength(11);
  });
});
