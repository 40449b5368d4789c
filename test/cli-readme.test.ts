// The command reference (docs/export.md, "Commands and options") against what the parser accepts: every command,
// option, limit and default, both ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionValues, shownDefault } from '../src/cli/help.js';
import { COMMANDS, SPECS, type CommandName } from '../src/cli/spec.js';

interface Table {
  heading: string;
  header: string[];
  rows: string[][];
}

const doc = readFileSync(new URL('../docs/export.md', import.meta.url), 'utf8');
const start = doc.indexOf('\n## Commands and options\n');
// The section runs to the next heading of its level, or to the end of the file.
const end = doc.indexOf('\n## ', start + 1);
// Commands documented in their own page keep their reference there, in the same shape: report and view.
const ownPage = readFileSync(new URL('../docs/report-and-viewer.md', import.meta.url), 'utf8').split(
  '\n## Command reference\n',
)[1]!;
const reference = doc.slice(start, end === -1 ? undefined : end) + ownPage;

// Cells split on '|' not escaped as '\|'.
const cells = (line: string) =>
  line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

const tables: Table[] = reference
  .split(/^### /m)
  .slice(1)
  .map((section) => {
    const lines = section.split('\n');
    const table = lines.filter((line) => line.startsWith('|'));
    return { heading: lines[0]!, header: cells(table[0] ?? '||'), rows: table.slice(2).map(cells) };
  });

/** The tables that document `command`'s options, with the column holding its defaults. */
function tablesOf(command: CommandName): { table: Table; defaultColumn: number }[] {
  return tables.flatMap((table) => {
    if (table.heading.startsWith(`\`playment-masks ${command} `)) return [{ table, defaultColumn: 3 }];
    const column = table.header.indexOf(`${command} default`);
    return column === -1 ? [] : [{ table, defaultColumn: column }];
  });
}

const optionCell = (name: string, value: string | undefined) => `\`--${name}${value ? ` ${value}` : ''}\``;

describe('the command reference in docs/export.md', () => {
  it('has a section for every command, headed by its usage', () => {
    expect(start, 'docs/export.md has no "## Commands and options" section').toBeGreaterThan(-1);
    for (const command of COMMANDS) {
      const own = tables.filter((table) => table.heading.startsWith(`\`playment-masks ${command} `));
      expect(own.map((table) => table.heading.replaceAll('\\|', '|'))).toEqual([
        `\`playment-masks ${SPECS[command].usage}\``,
      ]);
    }
  });

  it.each(COMMANDS)('lists every option of %s with the values and default the parser applies', (command) => {
    const documented = tablesOf(command);
    for (const [name, option] of Object.entries(SPECS[command].options)) {
      const found = documented.flatMap(({ table, defaultColumn }) =>
        table.rows.filter((row) => row[0] === optionCell(name, option.value)).map((row) => ({ row, defaultColumn })),
      );
      expect(found, `--${name}`).toHaveLength(1);
      const { row, defaultColumn } = found[0]!;
      const values = optionValues(option);
      expect(row[2], `--${name} values`).toBe(values === '' ? '' : `\`${values.replaceAll('|', '\\|')}\``);
      const expected = option.required ? 'required' : shownDefault(option);
      expect(row[defaultColumn], `--${name} default`).toBe(expected);
    }
  });

  it.each(COMMANDS)('documents no option %s does not take', (command) => {
    const options = new Set(Object.entries(SPECS[command].options).map(([name, o]) => optionCell(name, o.value)));
    for (const { table } of tablesOf(command)) for (const row of table.rows) expect(options).toContain(row[0]);
  });
});
