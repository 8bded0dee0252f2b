/**
 * Before the CLI exits, its job's last webhooks (job.completed above all) are still in the outbox:
 * the CLI is the engine process that recorded them, so it gives the delivery worker a moment to
 * send them instead of leaving them to whichever process opens the data directory next.
 */
import type { Fleet } from '../../fleet/create-fleet.js';
import { countPendingWebhooks } from '../../operations/count-pending-webhooks.js';
import type { CliIo } from '../cli-context.js';

/** Longest the CLI waits for its job's pending webhooks before it exits, in ms. */
export const webhookDrainWaitMs = 15_000;
const checkEveryMs = 100;

/** Waits until the job has no pending delivery due now, or `waitMs` passed; says what is left. */
export async function waitForJobWebhooks(fleet: Fleet, jobId: string, io: CliIo, json: boolean, waitMs = webhookDrainWaitMs): Promise<void> {
  const deadlineMs = Date.now() + waitMs;
  let pending = await countPendingWebhooks({ jobId }, fleet);
  if (pending === 0) return;
  fleet.webhookDeliverer.wake();
  while (pending > 0 && Date.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, checkEveryMs));
    pending = await countPendingWebhooks({ jobId }, fleet);
  }
  if (pending > 0) {
    (json ? io.stderr : io.stdout).write(
      `${pending} webhook deliver${pending === 1 ? 'y is' : 'ies are'} still pending (receiver down or retrying); the next imagefleet process on this data directory (serve, worker, resume) sends ${pending === 1 ? 'it' : 'them'}.\n`,
    );
  }
}
