/**
 * Reads a V8 CPU profile — Node's `--cpu-prof` file or Chromium's CDP `Profiler.stop` — into what
 * the benchmark document shows beside a figure: how the sampled time split into idle, scripting,
 * garbage collection and the runtime's own work ("(program)": in a browser, style, layout, paint
 * and compositing seen from the main thread), and the functions with the most self time.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { table } from './api-bench.js';
import { formatDecimal, formatInteger } from './format-figures.js';

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number } }>;
  samples?: number[];
  /** µs; `timeDeltas[i]` is the gap from sample i−1 to sample i. */
  timeDeltas?: number[];
}

export interface CpuProfileSummary {
  /** Sampled wall time, ms. */
  totalMs: number;
  idleMs: number;
  /** Time not idle (script, runtime, garbage collection), ms. */
  busyMs: number;
  programMs: number;
  garbageCollectionMs: number;
  /** JavaScript (everything that is not idle, program or GC), ms. */
  scriptMs: number;
  /** Functions by self time, most first. */
  topFunctions: Array<{ name: string; location: string; selfMs: number; /** Of `busyMs`, 0..1. */ shareOfBusy: number }>;
}

/** The profiler's own call that stops it is not the measured work: counted as idle. */
function isProfilerItself(frame: CpuProfile['nodes'][number]['callFrame']): boolean {
  return frame.url === 'node:inspector' || frame.functionName === '(idle)';
}

export function summariseCpuProfile(profile: CpuProfile, topCount = 8): CpuProfileSummary {
  const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUsById = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the gap to the next one (the last sample's gap is unknown and left out).
  for (let index = 0; index < samples.length - 1; index += 1) {
    const id = samples[index]!;
    selfUsById.set(id, (selfUsById.get(id) ?? 0) + Math.max(0, deltas[index + 1] ?? 0));
  }
  let totalUs = 0;
  let idleUs = 0;
  let programUs = 0;
  let garbageUs = 0;
  const byFunction = new Map<string, { name: string; location: string; selfUs: number }>();
  for (const [id, selfUs] of selfUsById) {
    const frame = nodesById.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += selfUs;
    if (isProfilerItself(frame)) idleUs += selfUs;
    else if (frame.functionName === '(program)') programUs += selfUs;
    else if (frame.functionName === '(garbage collector)') garbageUs += selfUs;
    else {
      const file = frame.url.split('/').pop() ?? '';
      const location = file === '' ? '(native)' : `${file}:${frame.lineNumber + 1}:${(frame.columnNumber ?? 0) + 1}`;
      const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
      const key = `${name} ${location}`;
      const entry = byFunction.get(key) ?? { name, location, selfUs: 0 };
      entry.selfUs += selfUs;
      byFunction.set(key, entry);
    }
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const topFunctions = [...byFunction.values()]
    .sort((left, right) => right.selfUs - left.selfUs)
    .slice(0, topCount)
    .map((entry) => ({ name: entry.name, location: entry.location, selfMs: entry.selfUs / 1000, shareOfBusy: entry.selfUs / busyUs }));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    programMs: programUs / 1000,
    garbageCollectionMs: garbageUs / 1000,
    scriptMs: (totalUs - idleUs - programUs - garbageUs) / 1000,
    topFunctions,
  };
}

/** Reads and summarises the one `.cpuprofile` file `node --cpu-prof --cpu-prof-dir` wrote in `directory`. */
export async function summariseCpuProfileIn(directory: string, topCount = 12): Promise<CpuProfileSummary> {
  const file = (await readdir(directory)).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${directory}`);
  return summariseCpuProfile(JSON.parse(await readFile(path.join(directory, file), 'utf8')) as CpuProfile, topCount);
}

/** The functions of a summary as a markdown table. */
export function cpuProfileTable(summary: CpuProfileSummary): string {
  return table(
    ['Function (self time)', 'ms', 'Share of busy time'],
    summary.topFunctions.map((entry) => [`\`${entry.name}\` ${entry.location}`, formatInteger(entry.selfMs), `${formatDecimal(entry.shareOfBusy * 100, 1)}%`]),
  );
}
