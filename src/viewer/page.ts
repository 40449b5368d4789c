// The viewer's page (bundled with three.js into dist/viewer-page.js at build time): it fetches the export's tables
// and one frame's label, instance and points files from the local server, reads them here in the browser, and draws
// the points coloured by class or instance. The element showing the frame carries data-job-id and data-frame-id,
// and each legend row data-class-id and data-points (the shown frame's counts).
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { ClassEntry } from '../export/classes.js';
import type { JobLegend } from '../export/legend.js';
import type { ExportSummary, IndexLine } from '../export/records.js';
import { classColors, toHex, type Rgb } from '../report/colors.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fetchOk = async (path: string) => {
  const response = await fetch(`export/${path.split('/').map(encodeURIComponent).join('/')}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
};
const json = async <T>(path: string) => (await (await fetchOk(path)).json()) as T;
const bytes = async (path: string) => new Uint8Array(await (await fetchOk(path)).arrayBuffer());

/** The data of an .npy file (version 1.0, as the export writes it), or the whole file for the other formats. */
function payload(file: Uint8Array, npy: boolean): ArrayBuffer {
  const start = npy ? 10 + (file[8]! | (file[9]! << 8)) : 0;
  return file.slice(start).buffer;
}

interface Frame {
  classes: Uint16Array;
  instances: Uint16Array | undefined;
  xyz: Float32Array;
  stride: number;
}

async function loadFrame(summary: ExportSummary, line: IndexLine, legend: JobLegend | undefined): Promise<Frame> {
  const npy = summary.format === 'npy';
  const labelBytes = await bytes(line.file);
  let classes: Uint16Array;
  let instances: Uint16Array | undefined;
  if (summary.format === 'kitti') {
    const words = new Uint32Array(payload(labelBytes, false));
    classes = new Uint16Array(words.length);
    instances = summary.instances ? new Uint16Array(words.length) : undefined;
    for (let i = 0; i < words.length; i++) {
      classes[i] = words[i]! & 0xffff;
      if (instances) instances[i] = words[i]! >>> 16;
    }
  } else {
    classes = new Uint16Array(payload(labelBytes, npy));
    if (typeof line.instances_file === 'string')
      instances = new Uint16Array(payload(await bytes(line.instances_file), npy));
  }
  if (summary.labels === 'raw' && legend) {
    const classOf = new Map(legend.legend.map((entry) => [entry.key, entry.class]));
    classes = classes.map((key) => classOf.get(key) ?? 0);
  }
  if (typeof line.points_file !== 'string') throw new Error('this export has no points: export with --with-points');
  const xyz = new Float32Array(payload(await bytes(line.points_file), npy));
  return { classes, instances, xyz, stride: summary.format === 'kitti' ? 4 : 3 };
}

function instanceColor(id: number): Rgb {
  if (id === 0) return [90, 90, 90];
  const hash = Math.imul(id, 0x9e3779b1) >>> 0;
  return [
    64 + (hash & 0x7f) + 64 * ((hash >>> 21) & 1),
    64 + ((hash >>> 7) & 0x7f) + 32,
    64 + ((hash >>> 14) & 0x7f) + 48,
  ];
}

async function main(): Promise<void> {
  const [summary, table, indexText] = await Promise.all([
    json<ExportSummary>('summary.json'),
    json<{ classes: ClassEntry[] }>('classes.json'),
    (await fetchOk('index.jsonl')).text(),
  ]);
  const lines = indexText
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as IndexLine);
  const colors = classColors(table.classes, new Map(summary.classes.map((entry) => [entry.id, entry.points])));
  const names = new Map(table.classes.map((entry) => [entry.id, entry.name]));
  const jobs = [...new Set(lines.map((line) => line.job_id))];
  const legends = new Map<string, Promise<JobLegend | undefined>>();
  const hidden = new Set<number>();

  const frameEl = $<HTMLDivElement>('frame');
  const jobSelect = $<HTMLSelectElement>('job');
  const lineSelect = $<HTMLSelectElement>('line');
  const colourSelect = $<HTMLSelectElement>('colour');
  const sizeInput = $<HTMLInputElement>('size');
  const status = $<HTMLParagraphElement>('status');
  const legendBody = $<HTMLTableElement>('legend').tBodies[0]!;

  const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  frameEl.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x111111);
  const camera = new THREE.PerspectiveCamera(55, 1, 0.1, 2000);
  camera.up.set(0, 0, 1);
  camera.position.set(0, -35, 45);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.addEventListener('change', () => renderer.render(scene, camera));
  const material = new THREE.PointsMaterial({
    size: Number(sizeInput.value),
    vertexColors: true,
    sizeAttenuation: false,
  });
  const geometry = new THREE.BufferGeometry();
  scene.add(new THREE.Points(geometry, material));
  const resize = () => {
    const { clientWidth: w, clientHeight: h } = frameEl;
    renderer.setSize(w, h);
    camera.aspect = w / Math.max(1, h);
    camera.updateProjectionMatrix();
    renderer.render(scene, camera);
  };
  window.addEventListener('resize', resize);

  let current: { line: IndexLine; frame: Frame } | undefined;

  const draw = () => {
    if (!current) return;
    const { classes, instances, xyz, stride } = current.frame;
    const byInstance = colourSelect.value === 'instance' && instances !== undefined;
    const positions: number[] = [];
    const rgb: number[] = [];
    // Class colours are sRGB; three.js works in linear light and converts back on output, so they land unchanged.
    const linear = new THREE.Color();
    for (let i = 0; i < classes.length; i++) {
      if (hidden.has(classes[i]!)) continue;
      const x = xyz[i * stride]!;
      const y = xyz[i * stride + 1]!;
      const z = xyz[i * stride + 2]!;
      if (!Number.isFinite(x + y + z)) continue;
      const color = byInstance ? instanceColor(instances[i]!) : (colors.get(classes[i]!) ?? [255, 0, 255]);
      positions.push(x, y, z);
      linear.setRGB(color[0] / 255, color[1] / 255, color[2] / 255, THREE.SRGBColorSpace);
      rgb.push(linear.r, linear.g, linear.b);
    }
    geometry.setAttribute('position', new THREE.Float32BufferAttribute(positions, 3));
    geometry.setAttribute('color', new THREE.Float32BufferAttribute(rgb, 3));
    geometry.computeBoundingSphere();
    renderer.render(scene, camera);
  };

  const showLegend = (frame: Frame) => {
    const counts = new Map<number, number>();
    for (const cls of frame.classes) counts.set(cls, (counts.get(cls) ?? 0) + 1);
    legendBody.replaceChildren(
      ...[...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([id, points]) => {
          const row = document.createElement('tr');
          row.dataset.classId = String(id);
          row.dataset.points = String(points);
          const box = document.createElement('input');
          box.type = 'checkbox';
          box.checked = !hidden.has(id);
          box.addEventListener('change', () => {
            if (box.checked) hidden.delete(id);
            else hidden.add(id);
            draw();
          });
          const name = document.createElement('td');
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = toHex(colors.get(id) ?? [255, 0, 255]);
          name.append(box, ' ', swatch, ` ${names.get(id) ?? `class ${id}`}`);
          const count = document.createElement('td');
          count.className = 'num';
          count.textContent = points.toLocaleString('en-US');
          row.append(name, count);
          return row;
        }),
    );
  };

  const show = async (index: number) => {
    const line = lines[index]!;
    status.textContent = 'loading…';
    frameEl.removeAttribute('data-ready');
    const folder = line.file.slice(0, line.file.lastIndexOf('/'));
    if (!legends.has(folder))
      legends.set(
        folder,
        json<JobLegend>(`${folder}/legend.json`).catch(() => undefined),
      );
    const frame = await loadFrame(summary, line, await legends.get(folder));
    current = { line, frame };
    showLegend(frame);
    draw();
    frameEl.dataset.jobId = line.job_id;
    frameEl.dataset.frameId = String(line.frame_id);
    frameEl.dataset.sensorId = String(line.sensor_id);
    frameEl.dataset.ready = '1';
    status.textContent = `job ${line.job_id} · frame ${String(line.frame_id)} · sensor ${String(line.sensor_id)} · ${frame.classes.length.toLocaleString('en-US')} points`;
  };

  const fillLines = (jobId: string) => {
    lineSelect.replaceChildren(
      ...lines.flatMap((line, index) => {
        if (line.job_id !== jobId) return [];
        const option = new Option(`frame ${String(line.frame_id)} · sensor ${String(line.sensor_id)}`, String(index));
        return [option];
      }),
    );
  };
  jobSelect.replaceChildren(...jobs.map((id) => new Option(id, id)));
  jobSelect.addEventListener('change', () => {
    fillLines(jobSelect.value);
    void show(Number(lineSelect.value)).catch(report);
  });
  lineSelect.addEventListener('change', () => void show(Number(lineSelect.value)).catch(report));
  colourSelect.addEventListener('change', draw);
  sizeInput.addEventListener('input', () => {
    material.size = Number(sizeInput.value);
    renderer.render(scene, camera);
  });
  window.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLSelectElement || !current) return;
    const step =
      event.key === 'ArrowRight' || event.key === 'k' ? 1 : event.key === 'ArrowLeft' || event.key === 'j' ? -1 : 0;
    const next = lines.indexOf(current.line) + step;
    if (step === 0 || next < 0 || next >= lines.length) return;
    jobSelect.value = lines[next]!.job_id;
    fillLines(jobSelect.value);
    lineSelect.value = String(next);
    void show(next).catch(report);
  });
  function report(error: unknown) {
    status.textContent = `cannot show the frame: ${error instanceof Error ? error.message : String(error)}`;
  }

  resize();
  if (lines.length === 0) {
    status.textContent = 'this export has no masks';
    return;
  }
  fillLines(lines[0]!.job_id);
  await show(0);
}

main().catch((error: unknown) => {
  const status = document.getElementById('status');
  if (status) status.textContent = `cannot load the export: ${error instanceof Error ? error.message : String(error)}`;
});
