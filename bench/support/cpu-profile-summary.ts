/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of a serving process and says where its time went:
 * the functions with the most self time, as shares of the busy time (everything but idle), so the
 * benchmarks can keep the profile's finding beside their figures (docs/benchmarks.md).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { table } from './api-bench.js';
import { formatDecimal, formatInteger } from './format-figures.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfileSummary {
  /** Wall time the profile covers, in ms. */
  totalMs: number;
  /** Time not idle (JavaScript, native code, garbage collection), in ms. */
  busyMs: number;
  /** Functions by self time, largest first. */
  functions: Array<{ name: string; selfMs: number; shareOfBusy: number }>;
}

/** Summarises the one `.cpuprofile` file in `directory`. */
export async function summariseCpuProfile(directory: string, topCount = 12): Promise<CpuProfileSummary> {
  const file = (await readdir(directory)).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${directory}`);
  const profile = JSON.parse(await readFile(path.join(directory, file), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicroseconds = new Map<string, number>();
  let totalMicroseconds = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    totalMicroseconds += delta;
    const frame = nodes.get(id)?.callFrame;
    const name = frame === undefined ? '(unknown)' : frameName(frame);
    selfMicroseconds.set(name, (selfMicroseconds.get(name) ?? 0) + delta);
  });
  const idleMicroseconds = (selfMicroseconds.get('(idle)') ?? 0) + [...selfMicroseconds].filter(([name]) => name.startsWith('post node:inspector')).reduce((total, [, microseconds]) => total + microseconds, 0);
  const busyMicroseconds = Math.max(1, totalMicroseconds - idleMicroseconds);
  const functions = [...selfMicroseconds]
    // The inspector call that stops the profiler is the profiler's own cost, not the download's.
    .filter(([name]) => name !== '(idle)' && !name.startsWith('post node:inspector'))
    .sort((left, right) => right[1] - left[1])
    .slice(0, topCount)
    .map(([name, microseconds]) => ({ name, selfMs: microseconds / 1000, shareOfBusy: microseconds / busyMicroseconds }));
  return { totalMs: totalMicroseconds / 1000, busyMs: busyMicroseconds / 1000, functions };
}

/** The summary as a markdown table. */
export function cpuProfileTable(summary: CpuProfileSummary): string {
  return table(
    ['Function (self time)', 'ms', 'Share of busy time'],
    summary.functions.map((entry) => [`\`${entry.name}\``, formatInteger(entry.selfMs), `${formatDecimal(entry.shareOfBusy * 100, 1)}%`]),
  );
}

function frameName(frame: ProfileNode['callFrame']): string {
  const functionName = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return functionName;
  const where = frame.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
  return `${functionName} ${where}:${frame.lineNumber + 1}`;
}
