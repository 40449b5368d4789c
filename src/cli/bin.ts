#!/usr/bin/env node
// The outermost layer of the playment-masks command: the process, its signals, and its exit code.
import { readFileSync } from 'node:fs';
import { EXIT, main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
// The first Ctrl-C (or SIGTERM) stops gracefully, the export leaving a resumable folder; a second one exits at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error('interrupted'));
  });
}
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
void main(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  script: process.argv[1] ?? '',
  version: packageJson.version,
  interrupted: controller.signal,
}).then((code) => process.stdout.write('', () => process.exit(code)));
