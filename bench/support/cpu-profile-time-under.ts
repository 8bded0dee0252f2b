/**
 * The sampled time spent inside some functions and everything they called (their inclusive time),
 * from a V8 CPU profile. The gallery benchmark reports React's share of a fling this way: the tasks
 * and microtasks React's own script runs (`react-script.ts`) and anything under its `flushSync`;
 * self-time tables split that work over hundreds of minified frames.
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
  return sampledMsWhere(profile, (stack) => stack.some((frame) => isNamed(frame, functionName)));
}

/** Whether a frame is the function `functionName`, or a method of that name (`r.flushSync`). */
export function isNamed(frame: CallFrame, functionName: string): boolean {
  return frame.functionName === functionName || frame.functionName.endsWith(`.${functionName}`);
}

/**
 * Sampled ms of the samples whose stack `matches` accepts. The stack runs from the outermost frame
 * under the profile's `(root)` — the task's or microtask's entry, or `(program)`, `(idle)`,
 * `(garbage collector)` — to the sampled function.
 */
export function sampledMsWhere(profile: CpuProfile, matches: (stack: readonly CallFrame[]) => boolean): number {
  const nodes = profile.nodes as ProfileNodeWithChildren[];
  const parentById = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parentById.set(child, node.id);
  const nodesById = new Map(nodes.map((node) => [node.id, node]));
  const stack = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parentById.get(current)) {
      const node = nodesById.get(current);
      // The root is every stack's bottom, not a frame of the page.
      if (node && parentById.has(current)) frames.push(node.callFrame);
    }
    return frames.reverse();
  };
  const matchById = new Map<number, boolean>();
  const samples = profile.samples ?? [];
  const deltasUs = profile.timeDeltas ?? [];
  let totalUs = 0;
  // A sample's time is the gap to the next sample (the last one has none).
  for (let index = 0; index < samples.length - 1; index += 1) {
    const id = samples[index]!;
    let matched = matchById.get(id);
    if (matched === undefined) {
      matched = matches(stack(id));
      matchById.set(id, matched);
    }
    if (matched) totalUs += deltasUs[index + 1] ?? 0;
  }
  return totalUs / 1000;
}
