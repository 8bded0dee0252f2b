/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) into the frames that cost the most: self
 * time (samples whose top frame is the function) and total time (samples with the function anywhere
 * on the stack, counted once per sample). Run as
 * `node --import tsx bench/support/cpu-profile-frames.ts <file.cpuprofile> [rows]`; the profile
 * itself stays out of git, its summary goes into docs/benchmarks.md.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the sampled main-thread time. */
export interface ProfileFrame {
  /** `function (file:line)`, with the file relative to the repository or marked as a package/internal. */
  frame: string;
  /** Share of samples with this function on top of the stack, 0..1. */
  selfShare: number;
  /** Share of samples with this function anywhere on the stack, 0..1. */
  totalShare: number;
}

function frameName(node: ProfileNode, repositoryRoot: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const filePath = url.startsWith('file://') ? new URL(url).pathname : url;
  const nodeModules = filePath.lastIndexOf('node_modules/');
  const shown = nodeModules >= 0 ? filePath.slice(nodeModules + 'node_modules/'.length) : filePath.startsWith(repositoryRoot) ? path.relative(repositoryRoot, filePath) : filePath;
  return `${name} (${shown}:${lineNumber + 1})`;
}

/** The top frames by self and by total time; `ownCodeOnly` keeps frames under `src/` for the total table. */
export function summariseCpuProfile(profile: CpuProfile, repositoryRoot: string): { frames: ProfileFrame[]; sampleCount: number; sampledMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampleCount = 0;
  for (const sampleId of profile.samples) {
    const top = byId.get(sampleId);
    if (!top) continue;
    const topName = frameName(top, repositoryRoot);
    if (topName === '(idle)') continue;
    sampleCount += 1;
    self.set(topName, (self.get(topName) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const name = frameName(node, repositoryRoot);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + 1);
    }
  }
  const sampledMs = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1000;
  const frames = [...total.entries()].map(([frame, count]) => ({ frame, selfShare: (self.get(frame) ?? 0) / sampleCount, totalShare: count / sampleCount }));
  return { frames, sampleCount, sampledMs };
}

async function main(): Promise<void> {
  const [file, rowsText] = process.argv.slice(2);
  if (!file) throw new Error('Usage: cpu-profile-frames.ts <file.cpuprofile> [rows]; pass the profile node --cpu-prof wrote.');
  const rows = Number(rowsText ?? 25);
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const { frames, sampleCount, sampledMs } = summariseCpuProfile(profile, process.cwd());
  const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
  console.log(`${sampleCount} busy samples over ${(sampledMs / 1000).toFixed(1)} s`);
  console.log('\nTop self time:');
  for (const frame of [...frames].sort((a, b) => b.selfShare - a.selfShare).slice(0, rows)) console.log(`| ${frame.frame} | ${percent(frame.selfShare)} | ${percent(frame.totalShare)} |`);
  console.log('\nTop total time (src/):');
  for (const frame of frames.filter((candidate) => candidate.frame.includes('(src/')).sort((a, b) => b.totalShare - a.totalShare).slice(0, rows)) console.log(`| ${frame.frame} | ${percent(frame.selfShare)} | ${percent(frame.totalShare)} |`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
