// The --help texts, rendered from the option tables so that every option, limit and default shown is the one parsed.
import { inFlagUnits, type OptionSpec } from '../options/option.js';
import { COMMANDS, SPECS, type CommandName } from './spec.js';

const PROGRAM = 'playment-masks';
const WIDTH = 100;
const OPTION_COLUMN = 22;
const EXIT_CODES = 'Exit codes: 0 done, 1 failed (see each command), 2 usage error, 130 interrupted.';

export function helpText(topic: CommandName | undefined): string {
  return topic === undefined ? mainHelp() : commandHelp(topic);
}

/** What `playment-masks` alone prints (on stderr): the commands in one line each, and where the help is. */
export function usageText(): string {
  return [
    `Usage: ${PROGRAM} COMMAND [options]`,
    ...COMMANDS.map((name) => `  ${name.padEnd(10)}${SPECS[name].summary}`),
    `Run "${PROGRAM} --help" for more, "${PROGRAM} COMMAND --help" for a command's options.`,
  ].join('\n');
}

function mainHelp(): string {
  const rows: [string, string][] = [
    ...COMMANDS.map((name): [string, string] => [`${PROGRAM} ${SPECS[name].usage}`, SPECS[name].summary]),
    [`${PROGRAM} --version`, 'print the version'],
  ];
  return [
    `${PROGRAM}: Playment point-cloud segmentation masks to per-point label files`,
    '',
    'Usage:',
    ...rows.map(([usage, summary]) => `  ${usage}\n      ${summary}`),
    '',
    `Run "${PROGRAM} COMMAND --help" for a command's options.`,
    EXIT_CODES,
  ].join('\n');
}

function commandHelp(name: CommandName): string {
  const spec = SPECS[name];
  const lines = Object.entries(spec.options).map(([option, o]) =>
    optionLine(`${o.short ? `-${o.short}, ` : ''}--${option}${o.value ? ` ${o.value}` : ''}`, `${o.help}${limits(o)}`),
  );
  return [
    `Usage: ${PROGRAM} ${spec.usage}`,
    '',
    spec.description,
    '',
    'Options:',
    ...lines,
    optionLine('-h, --help', 'this help'),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
    'Exit codes:',
    optionLine('0', 'done'),
    optionLine('1', spec.failure),
    optionLine('2', 'usage error'),
    optionLine('130', 'interrupted (Ctrl-C)'),
  ].join('\n');
}

/** ` (1-1024, default 32)`: what the parser accepts, and what applies without the option. */
function limits(option: OptionSpec): string {
  const shown = shownDefault(option);
  const parts = [optionValues(option), shown === '' ? '' : `default ${shown}`];
  const given = parts.filter((part) => part !== '');
  return given.length === 0 ? '' : ` (${given.join(', ')})`;
}

/** The default as the help and docs/export.md show it, in the flag's units; '' for none or a flag's false. */
export function shownDefault(option: OptionSpec): string {
  if (option.shownDefault !== undefined) return option.shownDefault;
  const value = inFlagUnits(option).default;
  return value === undefined || typeof value === 'boolean' ? '' : String(value);
}

/**
 * The values an option accepts, as the help and docs/export.md show them: `1-1024`, `>= 0`, `npy|bin|kitti`, a list's
 * `a,b,c`; '' for free text and flags.
 */
export function optionValues(option: OptionSpec): string {
  if (option.kind === 'integer' || option.kind === 'number') {
    const { min, max } = inFlagUnits(option);
    if (max === undefined) return `${option.aboveMin ? '>' : '>='} ${min}`;
    return `${min}-${max}`;
  }
  if (option.kind === 'list') return option.choices!.join(',');
  if (option.kind === 'choice') return option.choices!.join('|');
  return '';
}

/** The option in its column, its text wrapped to the width under itself. */
function optionLine(option: string, text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && OPTION_COLUMN + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  const first = `  ${option}`;
  const head =
    first.length + 2 <= OPTION_COLUMN ? first.padEnd(OPTION_COLUMN) : `${first}\n${' '.repeat(OPTION_COLUMN)}`;
  return head + lines.join(`\n${' '.repeat(OPTION_COLUMN)}`);
}
