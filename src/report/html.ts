// The report's pages: index.html (the batch, classes, flags, the comparison, the jobs), one page per job (its
// contact sheet) and diff.html (the views of re-labelled frames). Plain HTML and one stylesheet, no script: the
// chart switches between linear and log scale with a radio button, and images load lazily as they scroll into view.
// Elements carry data- attributes with the figures, for tests and tools.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClassEntry } from '../export/classes.js';
import type { ViewGeometry } from './birdseye.js';
import { BACKGROUND, MARKER, toHex, type Rgb } from './colors.js';
import type { JobChanges } from './diff.js';
import type { ExportData, ExportJob } from './export-data.js';
import {
  FLAG_TITLES,
  percent,
  pointsOf,
  type Flag,
  type FlagCode,
  type FlagThresholds,
  type FrameFacts,
} from './flags.js';
import { REPORT_CSS } from './style.js';

export interface ReportModel {
  export: ExportData;
  older:
    | { dir: string; added: readonly string[]; removed: readonly string[]; relabelled: readonly JobChanges[] }
    | undefined;
  /** Every class (this export's, then those only the older export has), by id. */
  classes: readonly ClassEntry[];
  colors: ReadonlyMap<number, Rgb>;
  /** facts[job][line]. */
  facts: readonly (readonly FrameFacts[])[];
  flags: readonly Flag[];
  thresholds: FlagThresholds;
  view: ViewGeometry;
  imagePath(job: number, line: number): string;
  diffImages(job: number, line: number): { before: string; after: string; changed: string };
  jobPage(job: number): string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const number = (value: number) => value.toLocaleString('en-US');

function page(title: string, body: string, root = ''): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(title)}</title><link rel="stylesheet" href="${root}report.css"></head>\n` +
    // The views' two colours that are no class's, for tools that check the images.
    `<body data-background="${toHex(BACKGROUND)}" data-marker="${toHex(MARKER)}">\n${body}\n</body></html>\n`
  );
}

export async function writePages(out: string, model: ReportModel): Promise<void> {
  await writeFile(join(out, 'report.css'), REPORT_CSS);
  const { jobs } = model.export;
  await mkdir(join(out, 'jobs'), { recursive: true });
  for (let j = 0; j < jobs.length; j++) await writeFile(join(out, model.jobPage(j)), jobPage(model, j));
  if (model.older) await writeFile(join(out, 'diff.html'), diffPage(model));
  await writeFile(join(out, 'index.html'), indexPage(model));
}

function swatch(model: ReportModel, id: number): string {
  const rgb = model.colors.get(id) ?? [0, 0, 0];
  return `<span class="swatch" style="background:${toHex(rgb)}"></span>`;
}

function className(model: ReportModel, id: number): string {
  return model.classes.find((entry) => entry.id === id)?.name ?? `class ${id}`;
}

function scaleNote(view: ViewGeometry): string {
  const half = (view.size * view.metresPerPixel) / 2;
  return (
    `Bird's-eye views: seen from above, x to the right, y up; ${view.metresPerPixel} m per pixel, ` +
    `${view.size} x ${view.size} pixels (${half.toFixed(1)} m on each side of the sensor). The white cross is the ` +
    'sensor origin, the white bar 10 m. One pixel per point, no smoothing; where classes overlap, the class with ' +
    'fewer points in the frame is drawn on top, unlabelled points under all others.'
  );
}

function indexPage(model: ReportModel): string {
  const { summary, jobs, withPoints } = model.export;
  const frames = jobs.reduce((sum, job) => sum + new Set(job.lines.map((line) => String(line.frame_id))).size, 0);
  const withPointsClasses = summary.classes.filter((entry) => entry.points > 0 && entry.id !== 0).length;
  const skipped = Object.entries(summary.jobs.skipped ?? {});
  const parts: string[] = [];
  parts.push(
    `<header><h1>Batch ${esc(summary.batch_id)}</h1><p class="muted">project ${esc(summary.project_id)} · ` +
      `export ${esc(model.export.dir)} · format ${esc(summary.format)} · labels ${esc(summary.labels)}` +
      `${summary.instances ? ' · instances' : ''}${withPoints ? ' · with points' : ''}</p></header>`,
  );
  if (!withPoints) {
    parts.push(
      '<p class="note" id="no-points">This export was made without <code>--with-points</code>: the report shows ' +
        "statistics and flags only. Bird's-eye views need the points: export again with <code>--with-points</code>.</p>",
    );
  }
  parts.push(
    '<section id="batch"><h2>The batch</h2><dl class="totals">' +
      total('jobs listed', summary.jobs.listed, 'jobs-listed') +
      total('jobs exported', summary.jobs.exported, 'jobs-exported') +
      total('jobs failed', summary.jobs.failed, 'jobs-failed') +
      total(
        'jobs skipped',
        skipped.reduce((sum, [, n]) => sum + n, 0),
        'jobs-skipped',
      ) +
      total('frames', frames, 'frames') +
      total('masks', summary.masks, 'masks') +
      total('points', summary.points, 'points') +
      total('classes with points', withPointsClasses, 'classes') +
      '</dl>',
  );
  if (skipped.length > 0) {
    parts.push(
      `<p>Skipped by status: ${skipped.map(([status, n]) => `<span data-skipped-status="${esc(status)}" data-jobs="${n}">${esc(status)} ${n}</span>`).join(', ')}</p>`,
    );
  }
  if (summary.failures.length > 0) {
    parts.push(
      '<table class="failures"><caption>Failed jobs</caption><thead><tr><th>job</th><th>code</th><th>message</th></tr></thead><tbody>' +
        summary.failures
          .map(
            (failure) =>
              `<tr data-failed-job-id="${esc(failure.job_id)}" data-code="${esc(failure.code)}"><td>${esc(failure.job_id)}</td>` +
              `<td><code>${esc(failure.code)}</code>${failure.api_code ? ` (${esc(failure.api_code)})` : ''}</td><td>${esc(failure.message)}</td></tr>`,
          )
          .join('') +
        '</tbody></table>',
    );
  }
  parts.push('</section>');
  parts.push(classSection(model));
  parts.push(flagSection(model));
  if (model.older) parts.push(diffSection(model));
  parts.push(jobsSection(model));
  return page(`Report: batch ${summary.batch_id}`, parts.join('\n'));
}

function total(label: string, value: number, key: string): string {
  return `<div><dt>${esc(label)}</dt><dd data-total="${key}">${number(value)}</dd></div>`;
}

function classSection(model: ReportModel): string {
  const { summary } = model.export;
  const points = new Map(summary.classes.map((entry) => [entry.id, entry.points]));
  const rows = model.export.classes
    .map((entry) => ({ entry, points: points.get(entry.id) ?? 0 }))
    .sort((a, b) => b.points - a.points || a.entry.id - b.entry.id);
  const totalPoints = summary.points || 1;
  const max = Math.max(1, ...rows.map((row) => row.points));
  const charted = rows.filter((row) => row.points > 0);
  const chart = (log: boolean) => {
    const barHeight = 20;
    const labelWidth = 200;
    const width = 520;
    const height = charted.length * barHeight + 4;
    const bars = charted
      .map((row, i) => {
        const share = log ? Math.log10(row.points + 1) / Math.log10(max + 1) : row.points / max;
        const y = i * barHeight + 2;
        const w = Math.max(1, share * width);
        return (
          `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${esc(row.entry.name)}</text>` +
          `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 4}" fill="${toHex(model.colors.get(row.entry.id) ?? [0, 0, 0])}"/>` +
          `<text x="${labelWidth + w + 4}" y="${y + 14}">${number(row.points)}</text>`
        );
      })
      .join('');
    return `<svg class="chart ${log ? 'log' : 'linear'}" viewBox="0 0 ${labelWidth + width + 110} ${height}" role="img" aria-label="points per class, ${log ? 'log' : 'linear'} scale">${bars}</svg>`;
  };
  const table = rows
    .map(
      ({ entry, points: n }) =>
        `<tr data-class-id="${entry.id}" data-points="${n}" data-color="${toHex(model.colors.get(entry.id) ?? [0, 0, 0])}"><td>${entry.id}</td><td>${swatch(model, entry.id)}${esc(entry.name)}</td>` +
        `<td class="muted">${esc(entry.class_id ?? '')}</td><td class="num">${number(n)}</td><td class="num">${percent(n / totalPoints)}</td></tr>`,
    )
    .join('');
  return (
    '<section id="classes"><h2>Points per class</h2>' +
    '<div class="scale-switch"><input type="radio" name="scale" id="scale-linear" checked><label for="scale-linear">linear</label>' +
    '<input type="radio" name="scale" id="scale-log"><label for="scale-log">log</label>' +
    `${chart(false)}${chart(true)}</div>` +
    '<table class="classes"><thead><tr><th>id</th><th>class</th><th>class_id</th><th>points</th><th>share</th></tr></thead>' +
    `<tbody>${table}</tbody></table></section>`
  );
}

function flagAttributes(flag: Flag): string {
  return (
    `data-flag="${flag.code}" data-job-id="${esc(flag.jobId)}"` +
    (flag.frameId === undefined ? '' : ` data-frame-id="${esc(flag.frameId)}"`) +
    (flag.sensorId === undefined ? '' : ` data-sensor-id="${esc(flag.sensorId)}"`) +
    (flag.classId === undefined ? '' : ` data-class-id="${flag.classId}"`)
  );
}

function flagSection(model: ReportModel): string {
  const { thresholds } = model;
  const jobIndex = new Map(model.export.jobs.map((job, j) => [job.id, j]));
  const byCode = new Map<FlagCode, Flag[]>();
  for (const flag of model.flags) {
    const list = byCode.get(flag.code);
    if (list) list.push(flag);
    else byCode.set(flag.code, [flag]);
  }
  const groups = (Object.keys(FLAG_TITLES) as FlagCode[]).map((code) => {
    const flags = byCode.get(code) ?? [];
    const items = flags
      .map((flag) => {
        const j = jobIndex.get(flag.jobId)!;
        const where =
          flag.frameId === undefined
            ? 'the job'
            : `frame ${esc(flag.frameId)}${flag.sensorId === undefined ? '' : ` sensor ${esc(flag.sensorId)}`}`;
        return `<li ${flagAttributes(flag)}><a href="${model.jobPage(j)}">job ${esc(flag.jobId)}</a>, ${where}: ${esc(flag.detail)}</li>`;
      })
      .join('');
    const open = flags.length > 0 && flags.length <= 50 ? ' open' : '';
    return `<details${open} data-flag-group="${code}"><summary><code>${code}</code> ${esc(FLAG_TITLES[code])}: <strong>${flags.length}</strong></summary><ul>${items}</ul></details>`;
  });
  const hasPoints = model.export.withPoints;
  return (
    '<section id="flags"><h2>Flags</h2>' +
    `<p class="muted">Thresholds: unlabelled share &ge; ${percent(thresholds.unlabelledShare)} (<code>--unlabelled-share</code>); ` +
    `rare class: fewer than ${number(thresholds.rareClassPoints)} points in the batch (<code>--rare-class-points</code>); ` +
    `far points: beyond ${thresholds.farMetres} m from the sensor (<code>--far-m</code>${hasPoints ? '' : ', needs points'}). ` +
    `Unnamed keys are counted in exports with <code>--labels raw</code> only.</p>${groups.join('\n')}</section>`
  );
}

function diffSection(model: ReportModel): string {
  const older = model.older!;
  const jobIds = (ids: readonly string[], attr: string) =>
    ids.length === 0
      ? '<p class="muted">none</p>'
      : `<ul>${ids.map((id) => `<li ${attr}="${esc(id)}">${esc(id)}</li>`).join('')}</ul>`;
  const rows = older.relabelled
    .flatMap((job) => {
      const ids = [...new Set([...job.to.keys(), ...job.from.keys()])].sort((a, b) => a - b);
      return ids.map((id) => {
        const to = job.to.get(id) ?? 0;
        const from = job.from.get(id) ?? 0;
        const attrs = `data-job-id="${esc(job.jobId)}" data-class-id="${id}"${to > 0 ? ` data-changed="${to}"` : ''}${from > 0 ? ` data-lost="${from}"` : ''}`;
        return `<tr ${attrs}><td>${esc(job.jobId)}</td><td>${swatch(model, id)}${esc(className(model, id))}</td><td class="num">${number(to)}</td><td class="num">${number(from)}</td></tr>`;
      });
    })
    .join('');
  const unmatched = older.relabelled.filter((job) => job.unmatchedFrames > 0);
  return (
    `<section id="diff"><h2>Against ${esc(older.dir)}</h2>` +
    `<h3>Jobs added: ${older.added.length}</h3>${jobIds(older.added, 'data-added-job-id')}` +
    `<h3>Jobs removed: ${older.removed.length}</h3>${jobIds(older.removed, 'data-removed-job-id')}` +
    `<h3>Jobs re-labelled: ${older.relabelled.length}</h3>${jobIds(
      older.relabelled.map((job) => job.jobId),
      'data-relabelled-job-id',
    )}` +
    (unmatched.length > 0
      ? `<p class="note">Frames only one export has, or whose point counts differ (not compared point by point): ${unmatched.map((job) => `${esc(job.jobId)} (${job.unmatchedFrames})`).join(', ')}</p>`
      : '') +
    '<table class="diff"><thead><tr><th>job</th><th>class</th><th>points changed to it</th><th>points changed from it</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>` +
    (model.export.withPoints ? '<p><a href="diff.html">Views of the re-labelled frames</a></p>' : '') +
    '</section>'
  );
}

interface JobFigures {
  frames: number;
  points: number;
  unlabelled: number;
  unnamed: number | null;
  classes: number;
  instances: number;
  warnings: number;
}

function jobFigures(model: ReportModel, job: ExportJob, j: number): JobFigures {
  const points = job.lines.reduce((sum, line) => sum + line.points, 0);
  const classes = new Set(
    job.lines.flatMap((line) => line.histogram.filter((h) => h.id !== 0 && h.points > 0).map((h) => h.id)),
  );
  const facts = model.facts[j]!;
  const unnamed = facts.some((fact) => fact.unnamedKeyPoints === null)
    ? null
    : facts.reduce((sum, fact) => sum + fact.unnamedKeyPoints!, 0);
  const instances = new Set((job.legend?.legend ?? []).map((entry) => entry.instance).filter((id) => id > 0)).size;
  const leftOut = job.lines.filter((line) => (line.points_left_out ?? 0) > 0).length;
  return {
    frames: new Set(job.lines.map((line) => String(line.frame_id))).size,
    points,
    unlabelled: job.lines.reduce((sum, line) => sum + pointsOf(line.histogram, 0), 0),
    unnamed,
    classes: classes.size,
    instances,
    warnings: model.flags.filter((flag) => flag.jobId === job.id).length + leftOut,
  };
}

function jobsSection(model: ReportModel): string {
  const rows = model.export.jobs
    .map((job, j) => {
      const f = jobFigures(model, job, j);
      return (
        `<tr data-job-row="${esc(job.id)}" data-frames="${f.frames}" data-job-points="${f.points}" data-unlabelled="${f.unlabelled}">` +
        `<td><a href="${model.jobPage(j)}">${esc(job.id)}</a></td><td class="num">${f.frames}</td><td class="num">${number(f.points)}</td>` +
        `<td class="num">${percent(f.points > 0 ? f.unlabelled / f.points : 0)}</td><td class="num">${f.unnamed === null ? '—' : number(f.unnamed)}</td>` +
        `<td class="num">${f.classes}</td><td class="num">${f.instances}</td><td class="num${f.warnings > 0 ? ' warn' : ''}">${f.warnings}</td></tr>`
      );
    })
    .join('\n');
  return (
    `<section id="jobs"><h2>Jobs (${model.export.jobs.length})</h2>` +
    '<table class="jobs"><thead><tr><th>job</th><th>frames</th><th>points</th><th>unlabelled</th>' +
    '<th title="points whose key no annotation names (--labels raw exports)">unnamed keys</th><th>classes</th>' +
    `<th>instances</th><th>warnings</th></tr></thead><tbody>\n${rows}\n</tbody></table></section>`
  );
}

function jobPage(model: ReportModel, j: number): string {
  const job = model.export.jobs[j]!;
  const f = jobFigures(model, job, j);
  const counts = new Map<number, number>();
  for (const line of job.lines)
    for (const { id, points } of line.histogram) counts.set(id, (counts.get(id) ?? 0) + points);
  const classRows = [...counts]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([id, n]) =>
        `<tr><td>${swatch(model, id)}${esc(className(model, id))}</td><td class="num">${number(n)}</td><td class="num">${percent(n / (f.points || 1))}</td></tr>`,
    )
    .join('');
  const flags = model.flags
    .filter((flag) => flag.jobId === job.id)
    .map(
      (flag) =>
        `<li class="flag"><code>${flag.code}</code> ${flag.frameId === undefined ? '' : `frame ${esc(flag.frameId)}: `}${esc(flag.detail)}</li>`,
    )
    .join('');
  const sheet = model.export.withPoints
    ? `<p class="muted">${esc(scaleNote(model.view))}</p><div class="sheet">${job.lines
        .map((line, l) => {
          const src = `../${model.imagePath(j, l)}`;
          const unlabelled = line.points > 0 ? pointsOf(line.histogram, 0) / line.points : 0;
          return (
            `<figure><a href="${src}"><img loading="lazy" width="${model.view.size}" height="${model.view.size}" ` +
            `data-job-id="${esc(job.id)}" data-frame-id="${esc(line.frame_id)}" data-sensor-id="${esc(line.sensor_id)}" ` +
            `src="${src}" alt="frame ${esc(line.frame_id)}, sensor ${esc(line.sensor_id)}"></a>` +
            `<figcaption>frame ${esc(line.frame_id)} · sensor ${esc(line.sensor_id)} · ${number(line.points)} points · ${percent(unlabelled)} unlabelled</figcaption></figure>`
          );
        })
        .join('\n')}</div>`
    : '<p class="note">No views: this export was made without <code>--with-points</code>.</p>';
  const body =
    `<p><a href="../index.html">&larr; the batch</a></p><h1>Job ${esc(job.id)}</h1>` +
    `<p>${f.frames} frames · ${number(f.points)} points · ${percent(f.unlabelled / (f.points || 1))} unlabelled · ${f.classes} classes · ${f.instances} instances</p>` +
    `<table class="classes"><thead><tr><th>class</th><th>points</th><th>share</th></tr></thead><tbody>${classRows}</tbody></table>` +
    (flags ? `<h2>Flags</h2><ul>${flags}</ul>` : '') +
    `<h2>Frames</h2>${sheet}`;
  return page(`Job ${job.id}`, body, '../');
}

function diffPage(model: ReportModel): string {
  const jobIndex = new Map(model.export.jobs.map((job, j) => [job.id, j]));
  const sections = model.older!.relabelled.map((changes) => {
    const j = jobIndex.get(changes.jobId)!;
    const job = model.export.jobs[j]!;
    const frames = changes.changedLines
      .map((l) => {
        const line = job.lines[l]!;
        const images = model.diffImages(j, l);
        const img = (src: string, what: string) =>
          `<figure><img loading="lazy" class="diff-view" width="${model.view.size}" height="${model.view.size}" src="${src}" alt="${what}"><figcaption>${what}</figcaption></figure>`;
        return (
          `<div class="diff-frame"><h3>frame ${esc(line.frame_id)} · sensor ${esc(line.sensor_id)}</h3><div class="sheet">` +
          img(images.before, 'before (older export)') +
          img(images.after, 'after (this export)') +
          img(images.changed, 'changed points only, in their new class') +
          '</div></div>'
        );
      })
      .join('');
    return `<section><h2>Job ${esc(changes.jobId)}</h2>${frames || '<p class="muted">no frame compared point by point</p>'}</section>`;
  });
  return page(
    'Re-labelled frames',
    `<p><a href="index.html">&larr; the batch</a></p><h1>Re-labelled frames</h1><p class="muted">${esc(scaleNote(model.view))}</p>${sections.join('\n')}`,
  );
}
