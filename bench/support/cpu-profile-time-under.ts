/**
 * The sampled time spent inside some functions and everything they called (their inclusive time),
 * from a V8 CPU profile. The gallery benchmark reports the time under React's entry points — its
 * `flushSync` and its scheduler's task (`react-scheduler-entry.ts`) — which is where React renders and
 * commits; self-time tables split that work over hundreds of minified frames.
 */
import type { CpuProfile } from './cpu-profile-summary.js';

/** A profile node with its children, as Chromium's CDP `Profiler.stop` returns it. */
type ProfileNodeWithChildren = CpuProfile['nodes'][number] & { children?: number[] };

/** One frame of a profile's stacks: its function's (inferred) name, script and 0-based start position. */
export type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/**
 * Sampled ms whose stack holds a frame named `functionName` (counted once per sample however deep
 * the recursion). A minified build's frames carry V8's inferred names, such as `r.flushSync` for a
 * method: a name ending in `.functionName` counts too.
 */
export function inclusiveMsUnder(profile: CpuProfile, functionName: string): number {
  return inclusiveMsUnderFrames(profile, (frame) => isNamed(frame, functionName));
}

/** Whether a frame is the function `functionName`, or a method of that name (`r.flushSync`). */
export function isNamed(frame: CallFrame, functionName: string): boolean {
  return frame.functionName === functionName || frame.functionName.endsWith(`.${functionName}`);
}

/** Sampled ms whose stack holds a frame `matches` accepts (counted once per sample however many do). */
export function inclusiveMsUnderFrames(profile: CpuProfile, matches: (frame: CallFrame) => boolean): number {
  const nodes = profile.nodes as ProfileNodeWithChildren[];
  const parentById = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parentById.set(child, node.id);
  const nodesById = new Map(nodes.map((node) => [node.id, node]));
  const insideById = new Map<number, boolean>();
  const isInside = (id: number): boolean => {
    const known = insideById.get(id);
    if (known !== undefined) return known;
    const node = nodesById.get(id);
    const parent = parentById.get(id);
    const inside = (node !== undefined && matches(node.callFrame)) || (parent !== undefined && isInside(parent));
    insideById.set(id, inside);
    return inside;
  };
  const samples = profile.samples ?? [];
  const deltasUs = profile.timeDeltas ?? [];
  let totalUs = 0;
  // A sample's time is the gap to the next sample (the last one has none).
  for (let index = 0; index < samples.length - 1; index += 1) if (isInside(samples[index]!)) totalUs += deltasUs[index + 1] ?? 0;
  return totalUs / 1000;
}
