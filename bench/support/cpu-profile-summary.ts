/**
 * Reads a Chromium CPU profile (CDP `Profiler.stop`) into what the benchmark document shows: the
 * share of sampled time that was idle, scripting, garbage collection and the browser's own work
 * ("(program)": style, layout, paint and compositing as seen from the main thread), and the
 * functions with the most self time.
 */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
}

export interface CpuProfileSummary {
  /** Sampled wall time, ms. */
  totalMs: number;
  idleMs: number;
  programMs: number;
  garbageCollectionMs: number;
  /** JavaScript (everything that is not idle, program or GC), ms. */
  scriptMs: number;
  /** Functions by self time, most first (name, file:line, ms). */
  topFunctions: Array<{ name: string; location: string; selfMs: number }>;
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
    if (frame.functionName === '(idle)') idleUs += selfUs;
    else if (frame.functionName === '(program)') programUs += selfUs;
    else if (frame.functionName === '(garbage collector)') garbageUs += selfUs;
    else {
      const file = frame.url.split('/').pop() ?? '';
      const location = file === '' ? '(native)' : `${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
      const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
      const key = `${name} ${location}`;
      const entry = byFunction.get(key) ?? { name, location, selfUs: 0 };
      entry.selfUs += selfUs;
      byFunction.set(key, entry);
    }
  }
  const topFunctions = [...byFunction.values()]
    .sort((left, right) => right.selfUs - left.selfUs)
    .slice(0, topCount)
    .map((entry) => ({ name: entry.name, location: entry.location, selfMs: entry.selfUs / 1000 }));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    programMs: programUs / 1000,
    garbageCollectionMs: garbageUs / 1000,
    scriptMs: (totalUs - idleUs - programUs - garbageUs) / 1000,
    topFunctions,
  };
}
