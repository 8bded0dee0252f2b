import { blobFilePath } from '../../test/support/blob-file-path.js';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Fleet } from '../../src/fleet/create-fleet.js';
import type { RecordedCall } from './recording-server.js';
import type { RecoveryKill, RecoveryResult } from './scenario-results.js';
import { sqliteDatabaseOf } from '../../test/support/sqlite-database-of.js';

/** A kill as the benchmark made it. */
export interface KillMoment {
  /** Epoch ms, taken just before SIGKILL was sent. */
  atMs: number;
  afterCalls: number;
  /** The killed worker's process id; its calls carry it. */
  workerPid: number | undefined;
}

export interface RecoveryAuditInput {
  /** A fleet opened on the data directory after every worker exited (only its store and blobs are used). */
  fleet: Fleet;
  jobId: string;
  calls: readonly RecordedCall[];
  kills: readonly KillMoment[];
  firstStartedAtMs: number;
}

export type RecoveryAudit = Pick<
  RecoveryResult,
  | 'kills'
  | 'statusCounts'
  | 'tasksLost'
  | 'duplicateOutputFiles'
  | 'duplicateImageRows'
  | 'missingOutputFiles'
  | 'leftoverTemporaryFiles'
  | 'callsAfterCompletion'
  | 'totalCalls'
  | 'repeatedCalls'
  | 'tasksCalledMoreThanOnce'
  | 'unexplainedRepeats'
  | 'unexplainedRepeatDetails'
  | 'outputsChecked'
  | 'undecodableOutputs'
  | 'undecodableThumbnails'
>;

interface TaskRow {
  id: string;
  prompt: string;
  status: string;
  image_count: number;
  finished_at_ms: number | null;
}

interface ImageRow {
  task_id: string;
  idx: number;
  file_key: string;
  thumbnail_key: string;
}

/** File names the blob store gives outputs and thumbnails: `<taskId>-<index>.<ext>`. */
const outputNamePattern = /^(.+)-(\d+)\.(png|webp)$/;
/** Temp files of interrupted atomic writes: `.<name>.<random>.tmp`. */
const temporaryNamePattern = /\.tmp$/;
/** Unexplained repeats listed in full in the result; more are only counted. */
const maxReportedDetails = 10;

/**
 * Checks what a crash-riddled run left behind against the engine's guarantees (DESIGN §5.1–5.3),
 * from three independent witnesses: the database rows, the files on disk, and the provider
 * server's record of calls.
 */
export async function auditRecovery(input: RecoveryAuditInput): Promise<RecoveryAudit> {
  const { fleet, jobId } = input;
  const sqlite = sqliteDatabaseOf(fleet).sqlite;
  const tasks = sqlite.prepare('SELECT id, prompt, status, image_count, finished_at_ms FROM tasks WHERE job_id = ?').all(jobId) as TaskRow[];
  const images = sqlite.prepare('SELECT task_id, idx, file_key, thumbnail_key FROM images WHERE job_id = ?').all(jobId) as ImageRow[];
  const duplicateImageRows = sqlite
    .prepare('SELECT COUNT(*) FROM (SELECT task_id, idx FROM images WHERE job_id = ? GROUP BY task_id, idx HAVING COUNT(*) > 1)')
    .pluck()
    .get(jobId) as number;

  const statusCounts: Record<string, number> = {};
  for (const task of tasks) statusCounts[task.status] = (statusCounts[task.status] ?? 0) + 1;

  // Files on disk, per task, beyond what the task's image count allows.
  const tasksById = new Map(tasks.map((task) => [task.id, task]));
  let duplicateOutputFiles = 0;
  let leftoverTemporaryFiles = 0;
  for (const folder of ['outputs', 'thumbnails']) {
    const directory = path.join(fleet.config.blobsDir, folder, jobId);
    const names = await readdir(directory).catch(() => [] as string[]);
    const filesByTask = new Map<string, number>();
    for (const name of names) {
      if (temporaryNamePattern.test(name)) {
        leftoverTemporaryFiles += 1;
        continue;
      }
      const match = outputNamePattern.exec(name);
      const task = match ? tasksById.get(match[1]!) : undefined;
      if (!task) {
        duplicateOutputFiles += 1;
        continue;
      }
      filesByTask.set(task.id, (filesByTask.get(task.id) ?? 0) + 1);
    }
    for (const [taskId, fileCount] of filesByTask) duplicateOutputFiles += Math.max(0, fileCount - (tasksById.get(taskId)?.image_count ?? 0));
  }

  let missingOutputFiles = 0;
  let undecodableOutputs = 0;
  let undecodableThumbnails = 0;
  for (const image of images) {
    const outputFormat = await decodedFormat(blobFilePath(fleet.blobs, image.file_key));
    const thumbnailFormat = await decodedFormat(blobFilePath(fleet.blobs, image.thumbnail_key));
    if (outputFormat === 'missing' || thumbnailFormat === 'missing') missingOutputFiles += 1;
    if (outputFormat !== 'png') undecodableOutputs += 1;
    if (thumbnailFormat !== 'webp') undecodableThumbnails += 1;
  }

  // The provider's record, matched to tasks by prompt (unique per task in this benchmark).
  const tasksByPrompt = new Map(tasks.map((task) => [task.prompt, task]));
  const callsByTask = new Map<string, RecordedCall[]>();
  let callsAfterCompletion = 0;
  for (const call of input.calls) {
    const task = tasksByPrompt.get(call.prompt);
    if (!task) throw new Error(`The recording server saw a call for an unknown prompt: "${call.prompt}".`);
    const taskCalls = callsByTask.get(task.id) ?? [];
    taskCalls.push(call);
    callsByTask.set(task.id, taskCalls);
    if (task.status === 'completed' && task.finished_at_ms !== null && call.arrivalMs > task.finished_at_ms) callsAfterCompletion += 1;
  }

  // A repeat is explained when the call before it came from a worker that was later killed and the
  // repeat from another process. Callers are told apart by pid rather than by time, because a call
  // the killed worker sent just before its death can reach the server's handler after the kill.
  const killedPids = new Set(input.kills.map((kill) => kill.workerPid).filter((pid): pid is number => pid !== undefined));
  let repeatedCalls = 0;
  let tasksCalledMoreThanOnce = 0;
  const unexplainedRepeatDetails: RecoveryResult['unexplainedRepeatDetails'] = [];
  for (const [taskId, taskCalls] of callsByTask) {
    if (taskCalls.length < 2) continue;
    repeatedCalls += taskCalls.length - 1;
    tasksCalledMoreThanOnce += 1;
    const explained = taskCalls.slice(1).every((call, index) => {
      const previous = taskCalls[index]!;
      return previous.callerPid !== undefined && killedPids.has(previous.callerPid) && call.callerPid !== previous.callerPid;
    });
    if (!explained) {
      unexplainedRepeatDetails.push({
        taskId,
        finishedAtMs: relativeOrUndefined(tasksById.get(taskId)?.finished_at_ms ?? null, input.firstStartedAtMs),
        calls: taskCalls.map((call) => ({ arrivalMs: call.arrivalMs - input.firstStartedAtMs, respondedAtMs: relativeOrUndefined(call.respondedAtMs ?? null, input.firstStartedAtMs), callerPid: call.callerPid })),
      });
    }
  }

  const kills: RecoveryKill[] = input.kills.map((kill) => {
    // In flight: the killed worker had called for the task, and no completion was committed before the kill.
    const inFlight = tasks.filter(
      (task) => (callsByTask.get(task.id) ?? []).some((call) => call.callerPid === kill.workerPid) && (task.finished_at_ms === null || task.finished_at_ms > kill.atMs),
    );
    const finishTimes = inFlight.map((task) => task.finished_at_ms);
    const allFinished = finishTimes.every((finishedAtMs): finishedAtMs is number => finishedAtMs !== null);
    return {
      atMs: kill.atMs - input.firstStartedAtMs,
      afterCalls: kill.afterCalls,
      tasksInFlight: inFlight.length,
      recoveredWithinMs: allFinished && finishTimes.length > 0 ? Math.max(...finishTimes) - kill.atMs : undefined,
    };
  });

  return {
    kills,
    statusCounts,
    tasksLost: tasks.filter((task) => task.status !== 'completed').length,
    duplicateOutputFiles,
    duplicateImageRows,
    missingOutputFiles,
    leftoverTemporaryFiles,
    callsAfterCompletion,
    totalCalls: input.calls.length,
    repeatedCalls,
    tasksCalledMoreThanOnce,
    unexplainedRepeats: unexplainedRepeatDetails.length,
    unexplainedRepeatDetails: unexplainedRepeatDetails.slice(0, maxReportedDetails),
    outputsChecked: images.length,
    undecodableOutputs,
    undecodableThumbnails,
  };
}

function relativeOrUndefined(epochMs: number | null, originMs: number): number | undefined {
  return epochMs === null ? undefined : epochMs - originMs;
}

/** The format sharp reads from a file's bytes, `missing` when there is no file, `corrupt` when it does not decode. */
async function decodedFormat(filePath: string): Promise<string> {
  try {
    await access(filePath);
  } catch {
    return 'missing';
  }
  try {
    const image = sharp(filePath);
    const metadata = await image.metadata();
    // metadata() reads only the header; decoding every pixel proves the file is whole.
    await image.raw().toBuffer();
    return metadata.format ?? 'corrupt';
  } catch {
    return 'corrupt';
  }
}
