import type { MachineInfo } from './machine-info.js';
import type { EngineOverheadResult, QuotaUtilisationResult, RecoveryResult } from './scenario-results.js';

/** Everything one `npm run bench` produced: what the summary and docs/benchmarks.md are written from. */
export interface BenchRun {
  /** ISO 8601, UTC. */
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  threadpoolSize: string;
  engineOverhead: EngineOverheadResult | undefined;
  quota: QuotaUtilisationResult | undefined;
  recovery: RecoveryResult | undefined;
  /** Scenarios that did not produce a result, with why. */
  failures: Array<{ scenario: string; message: string }>;
}
