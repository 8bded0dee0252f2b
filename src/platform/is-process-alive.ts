/**
 * Whether a process with this pid exists on this machine, by signal 0 (nothing is sent). EPERM
 * means it exists but belongs to another user. Used to tell a dead lease holder on this host
 * (a CLI killed with kill -9) from a live one (`core/lease-owner.ts`).
 */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
