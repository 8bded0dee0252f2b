import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeVariable, environmentVariableNames } from '../../src/config/config.js';

/**
 * Variables the shells read directly (the CLI's error printer, the bin shim before the process
 * replaces itself, glibc and libuv at start); documented, but not part of the config schema.
 */
const shellOnlyVariables = new Set(['IMAGEFLEET_DEBUG', 'NEXT_TELEMETRY_DISABLED', 'IMAGEFLEET_MEMORY_SETTINGS', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'UV_THREADPOOL_SIZE']);

interface DocumentedVariable {
  name: string;
  cells: string[];
}

/** Table rows of docs/configuration.md whose first cell is a variable name in backticks. */
function documentedVariables(): DocumentedVariable[] {
  const markdown = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  return markdown
    .split('\n')
    .filter((line) => /^\| `[A-Z][A-Z0-9_]+` \|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((cell) => cell.trim());
      return { name: (cells[0] ?? '').replaceAll('`', ''), cells };
    });
}

/** The schema's default as the doc writes it: `value` in backticks, or "unset". */
function documentedDefault(defaultText: string | undefined): string {
  return defaultText === undefined ? 'unset' : `\`${defaultText}\``;
}

describe('docs/configuration.md', () => {
  const documented = documentedVariables();
  const schemaRows = documented.filter((row) => !shellOnlyVariables.has(row.name));

  it.each(environmentVariableNames)('documents %s exactly once', (name) => {
    expect(documented.filter((row) => row.name === name)).toHaveLength(1);
  });

  it('documents no variable that the schema does not have', () => {
    const unknown = schemaRows.map((row) => row.name).filter((name) => !(environmentVariableNames as string[]).includes(name));
    expect(unknown).toEqual([]);
  });

  it('lists the variables in schema order', () => {
    expect(schemaRows.map((row) => row.name)).toEqual(environmentVariableNames);
  });

  it.each(environmentVariableNames)('states the schema default and allowed values of %s', (name) => {
    const row = schemaRows.find((candidate) => candidate.name === name);
    // Columns: Variable | Meaning | Unit | Default | Allowed | Example.
    expect(row?.cells).toHaveLength(6);
    const description = describeVariable(name);
    expect(row?.cells[3]).toBe(documentedDefault(description.defaultText));
    expect(row?.cells[4]).toBe(description.requirement);
    expect(row?.cells[1]?.length).toBeGreaterThan(10);
    expect(row?.cells[5]?.length).toBeGreaterThan(0);
  });
});
