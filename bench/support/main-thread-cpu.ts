import { readFileSync } from 'node:fs';

/** Linux reports thread CPU times in USER_HZ ticks, which is 100 per second on x86 and arm. */
const ticksPerSecond = 100;

/**
 * CPU time used so far by this process's main thread (the event loop), ms, from
 * /proc/<pid>/task/<pid>/stat; undefined where /proc is not available. Unlike wall time it does not
 * grow while other processes hold the core, so it shows the main thread's own cost on a shared machine.
 */
export function mainThreadCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its closing one are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; `fields` starts at field 3.
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return undefined;
  return ((userTicks + systemTicks) * 1000) / ticksPerSecond;
}
