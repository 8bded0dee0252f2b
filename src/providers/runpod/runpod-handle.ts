/**
 * The remote handle the engine saves for a RunPod task: `runpod:{endpointId}/{jobId}`. It names
 * the endpoint too, so a restarted worker polls the job where it was submitted even if
 * `RUNPOD_ENDPOINT_ID` changed meanwhile.
 */
import { providerError } from '../contract.js';

export interface RunpodJobReference {
  endpointId: string;
  jobId: string;
}

const prefix = 'runpod:';

export function formatRunpodHandle(reference: RunpodJobReference): string {
  return `${prefix}${reference.endpointId}/${reference.jobId}`;
}

export function parseRunpodHandle(handle: string): RunpodJobReference {
  const match = /^runpod:([A-Za-z0-9._-]+)\/([A-Za-z0-9._-]+)$/.exec(handle);
  if (!match?.[1] || !match[2]) throw providerError('invalid', `"${handle.slice(0, 80)}" is not a RunPod job handle (expected ${prefix}<endpoint>/<job id>).`);
  return { endpointId: match[1], jobId: match[2] };
}
