// The commands that read a finished export: `dataset`, `report` and `view`.
import { join, resolve } from 'node:path';
import { API_KEY_VARIABLE } from '../api/option-table.js';
import { buildNuScenes } from '../dataset/nuscenes.js';
import { buildParquet } from '../dataset/parquet.js';
import { buildSemanticKitti } from '../dataset/semantickitti.js';
import { isSystemError, reasonOf } from '../errors.js';
import type { DatasetCommand, ReportCommand, ViewCommand } from './args.js';
import { CliFailure, EXIT, type Io } from './io.js';
import { formatDuration } from './progress.js';

export async function runReport({ options }: ReportCommand, io: Io): Promise<number> {
  const { buildReport } = await import('../report/report.js');
  const started = performance.now();
  const outcome = await buildReport({
    ...options,
    from: resolve(io.cwd, options.from),
    out: resolve(io.cwd, options.out),
    ...(options.against === undefined ? {} : { against: resolve(io.cwd, options.against) }),
  });
  const relabelled =
    options.against === undefined ? '' : `, ${outcome.relabelledJobs.length} job(s) re-labelled since the older export`;
  io.stdout.write(
    `Report of ${outcome.frames} frames (${outcome.images} images, ${outcome.flags.length} flags${relabelled}) ` +
      `in ${formatDuration(performance.now() - started)}\nOpen: ${outcome.index}\n`,
  );
  return EXIT.ok;
}

export async function runView(command: ViewCommand, io: Io): Promise<number> {
  const { startViewer } = await import('../viewer/server.js');
  const viewer = await startViewer({
    from: resolve(io.cwd, command.positionals[0]!),
    port: command.options.port,
  }).catch((error: unknown) => {
    if (isSystemError(error) && error.code === 'EADDRINUSE') {
      throw new CliFailure(
        `view: --port ${command.options.port} is in use: choose another, or leave it out for a free one`,
      );
    }
    throw error;
  });
  io.stdout.write(`Viewer at ${viewer.url} (127.0.0.1 only)\nCtrl-C to stop.\n`);
  if (command.options.open) {
    const { openInBrowser } = await import('../viewer/open.js');
    // The browser gets the environment without the API key, which goes to the API only.
    const env = Object.fromEntries(Object.entries(io.env).filter(([name]) => name !== API_KEY_VARIABLE));
    openInBrowser(viewer.url, env).catch((error: unknown) =>
      io.stderr.write(
        `view: cannot open a browser (${reasonOf(error)}): open the address above yourself, or set BROWSER. ` +
          'Still serving.\n',
      ),
    );
  }
  await new Promise((done) => io.interrupted.addEventListener('abort', done, { once: true }));
  await viewer.close();
  return EXIT.ok;
}

export async function runDataset(command: DatasetCommand, io: Io): Promise<number> {
  const out = resolve(io.cwd, command.options.out);
  const from = resolve(io.cwd, command.options.from);
  let json: Record<string, unknown>;
  let line: string;
  switch (command.layout) {
    case 'semantickitti': {
      const sequences = await buildSemanticKitti({ from, out });
      const frames = Object.values(sequences).reduce((sum, sequence) => sum + sequence.frames.length, 0);
      const count = Object.keys(sequences).length;
      json = { out, sequences: count, scans: frames };
      line = `SemanticKITTI tree: ${count} sequences, ${frames} scans in ${out}`;
      break;
    }
    case 'nuscenes': {
      const scenes = await buildNuScenes({ ...command.options, from, out });
      const samples = scenes.reduce((sum, scene) => sum + scene.frames.length, 0);
      json = { out, scenes: scenes.length, samples };
      line = `nuScenes tree: ${scenes.length} scenes, ${samples} samples in ${out}`;
      break;
    }
    case 'parquet': {
      const summary = await buildParquet({ ...command.options, from, out });
      json = { out, rows: summary.rows, files: summary.files.length };
      line = `Parquet: ${summary.rows} rows in ${summary.files.length} files in ${join(out, 'data')}`;
      break;
    }
  }
  if (command.output.json) io.stdout.write(`${JSON.stringify(json)}\n`);
  else if (!command.output.quiet) io.stdout.write(`${line}\n`);
  return EXIT.ok;
}
