// Results of the older generation (a legend and PCD masks behind `url`) export exactly like the current ones.
import { afterAll, describe, expect, it } from 'vitest';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { startSimulator } from '../src/sim/index.js';
import { checkExport, indexLines, readTree, removeTempDirs, tempDir } from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
afterAll(() => Promise.all([pool.close(), removeTempDirs()]));

describe('exportBatch on legacy results', () => {
  it.each(['npy', 'kitti'] as const)('decodes PCD masks and names classes from the legend (%s)', async (format) => {
    const simulator = await startSimulator({
      jobs: 3,
      frames: 2,
      sensors: 2,
      points: 800,
      pageSize: 2,
      legacyMasks: true,
    });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
    try {
      const out = await tempDir();
      const summary = await exportBatch({
        client,
        projectId: simulator.projectId,
        batchId: simulator.batchId,
        outDir: out,
        pool,
        format,
        withPoints: true,
      });
      const tree = await readTree(out);
      // Labels, histograms by class name and the summary, exactly as for a current-generation batch.
      expect(checkExport(tree, simulator.dataset, format)).toBe(3 * 2 * 2);
      expect(summary.classes.map((c) => c.name)).toContain('Vehicle');
      const result = JSON.parse(
        tree.get(`${indexLines(tree)[0]!.file.split('/').slice(0, 2).join('/')}/result.json`)!.toString(),
      );
      expect(result.annotation_data.legend).toContainEqual({ label: 'Vehicle', label_key: expect.any(Number) });
      expect(result.annotation_data.annotations).toBeUndefined();
      expect(result.annotation_data.masks[0]).toMatchObject({ label_url: '', url: expect.stringMatching(/\.pcd$/) });
      expect(indexLines(tree).every((line) => typeof (line as { points_file?: string }).points_file === 'string')).toBe(
        true,
      );
    } finally {
      await client.close();
      await simulator.close();
    }
  });
});
