/** Number formatting shared by the console summary and docs/benchmarks.md, so both show the same digits. */

export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatDecimal(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** A 0..1 share as a percentage, e.g. 0.0347 → "3.5%". */
export function formatShare(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatSeconds(ms: number, digits = 2): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

/** One line naming the machine, e.g. "AMD EPYC, 2 cores, 23.5 GiB, load 1.85 before, Debian 12, Node v20.20.2, SQLite 3.53.2". */
export function machineLine(machine: {
  cpuModel: string;
  availableCores: number;
  memoryGiB: number;
  loadAverageBefore: [number, number, number];
  operatingSystem: string;
  nodeVersion: string;
  sqliteVersion: string;
}): string {
  return [
    machine.cpuModel,
    `${machine.availableCores} cores`,
    `${machine.memoryGiB.toFixed(1)} GiB RAM`,
    `load ${machine.loadAverageBefore[0].toFixed(2)} before the run`,
    machine.operatingSystem,
    `Node ${machine.nodeVersion}`,
    `SQLite ${machine.sqliteVersion}`,
  ].join(', ');
}
