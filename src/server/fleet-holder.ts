/**
 * Hands the fleet from the shell to Next.js route handlers and pages. Next bundles its own copy of
 * this module, separate from the one the shell loaded, so the fleet lives on `globalThis` under a
 * registered symbol that both copies share. Nothing is created here: the `serve` shell sets the
 * fleet at start and clears it on stop.
 */
// Type only: the Next bundle never pulls in the fleet's implementation through this import.
import type { Fleet } from '../fleet/create-fleet.js';

const fleetKey = Symbol.for('imagefleet.fleet');

type GlobalWithFleet = typeof globalThis & { [fleetKey]?: Fleet };

/** Registers the running fleet (or clears it with `undefined`). Called only by the serve shell. */
export function setFleet(fleet: Fleet | undefined): void {
  const holder = globalThis as GlobalWithFleet;
  if (fleet === undefined) delete holder[fleetKey];
  else holder[fleetKey] = fleet;
}

/** The fleet of this process, or `undefined` when none runs (e.g. during `next build`). */
export function getFleet(): Fleet | undefined {
  return (globalThis as GlobalWithFleet)[fleetKey];
}
