/**
 * Lease owners name the process holding a task: `host:pid:random` (see `createFleet`). Parsing them
 * lets a tool on the same machine tell a dead holder (a CLI killed with kill -9) from a live one,
 * and take its tasks back at once instead of waiting for the lease to expire.
 */

export interface LeaseOwner {
  host: string;
  pid: number;
}

/** Splits `host:pid:random` (the host may itself contain `:`); undefined for any other shape. */
export function parseLeaseOwner(owner: string): LeaseOwner | undefined {
  const parts = owner.split(':');
  if (parts.length < 3) return undefined;
  const pidText = parts[parts.length - 2] ?? '';
  const host = parts.slice(0, -2).join(':');
  if (host === '' || !/^\d{1,10}$/.test(pidText)) return undefined;
  const pid = Number(pidText);
  return pid > 0 ? { host, pid } : undefined;
}

/**
 * True when `owner` names a process on `host` that no longer exists, by `isProcessAlive`. Owners
 * on other machines, or in another shape, are never called gone: their leases expire normally.
 */
export function isLeaseOwnerGone(owner: string, host: string, isProcessAlive: (pid: number) => boolean): boolean {
  const parsed = parseLeaseOwner(owner);
  if (!parsed || parsed.host !== host) return false;
  return !isProcessAlive(parsed.pid);
}
