/**
 * CPU time of this process's threads by kind, from /proc/<pid>/task/<tid>/stat: which thread pays
 * for a task — the main thread (JavaScript, synchronous SQLite), the libuv pool (file system calls,
 * sharp's calls into libvips), libvips' own workers, or V8's helpers (GC, compiler). Linux only;
 * an empty map elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports thread CPU times in USER_HZ ticks, which is 100 per second on x86 and arm. */
const ticksPerSecond = 100;

/** Thread kinds, in report order. */
export const threadKinds = ['main', 'libuv pool', 'libvips', 'V8', 'other'] as const;
export type ThreadKind = (typeof threadKinds)[number];

function kindOf(threadId: string, name: string): ThreadKind {
  if (threadId === String(process.pid)) return 'main';
  if (name.startsWith('libuv-worker')) return 'libuv pool';
  if (name.includes('vips')) return 'libvips';
  if (name.startsWith('V8') || name.startsWith('node')) return 'V8';
  return 'other';
}

/** CPU time used so far by each kind of thread, ms (threads that ended are no longer counted). */
export function threadCpuMsByKind(): Map<ThreadKind, number> {
  const byKind = new Map<ThreadKind, number>();
  let threadIds: string[];
  try {
    threadIds = readdirSync(`/proc/${process.pid}/task`);
  } catch {
    return byKind;
  }
  for (const threadId of threadIds) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${process.pid}/task/${threadId}/stat`, 'utf8');
    } catch {
      continue; // the thread ended while we listed them
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // utime and stime are fields 14 and 15; the fields after the name start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    const kind = kindOf(threadId, name);
    byKind.set(kind, (byKind.get(kind) ?? 0) + cpuMs);
  }
  return byKind;
}

/** "main 1.04 · libuv pool 0.90 · …" ms per task between two readings. */
export function formatThreadCpuPerTask(before: Map<ThreadKind, number>, after: Map<ThreadKind, number>, tasks: number): string {
  if (after.size === 0) return 'per-thread CPU unavailable';
  return threadKinds.map((kind) => `${kind} ${(((after.get(kind) ?? 0) - (before.get(kind) ?? 0)) / tasks).toFixed(2)}`).join(' · ') + ' ms/task';
}
