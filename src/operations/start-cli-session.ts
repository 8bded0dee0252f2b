/**
 * Starting a CLI session (`run`, `single`, the MCP `start_session` tool; decision 0018): planned
 * first against provisional hashes, so the plan summary, `--dry-run` and the cost confirmation
 * store nothing; then the references are imported and the job is submitted — planned once more,
 * now against the stored assets, and created in one transaction with the session id as its name.
 * Calls that completed in earlier sessions are left out; when nothing is left, nothing is written.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Asset } from '../core/asset.js';
import { ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { CliJobSpecInput } from '../core/job-spec.js';
import type { Clock } from '../engine/ports.js';
import type { CliSessionRecord, CliSessionRecords } from './cli-session-record.js';
import type { SubmitJobOptions, SubmitJobResult } from './submit-job.js';

/** The submit operation as the fleet wires it (validate, plan once, create, wake the engine). */
export type SubmitJobCall = (input: unknown, options?: SubmitJobOptions) => Promise<SubmitJobResult>;

/** A reference combo of a session, naming its reference files instead of asset ids. */
export interface CliSessionCombo {
  /** Unique within the session (usually the folder path). */
  id: string;
  /** Absolute paths of the combo's reference images, in order; empty = text-to-image. */
  referenceFiles: string[];
  /** Values usable as {name} placeholders (captured from folder names). */
  variables: Record<string, string>;
}

/** The session's cli-mode job spec, its combos naming files; the job's name is the session id. */
export type CliSessionSpec = Omit<CliJobSpecInput, 'mode' | 'name' | 'combos'> & { combos: CliSessionCombo[] };

/** Plans the session without storing anything (references keyed by provisional hashes). */
export async function planCliSession(input: { sessionId: string; spec: CliSessionSpec }, dependencies: { submitJob: SubmitJobCall }): Promise<SubmitJobResult> {
  const files = referenceFilesOf(input.spec);
  // Hashes of the paths stand in for the files' hashes: enough to plan and estimate, and no file is read.
  const provisional = new Map(files.map((file, index) => [`ref-${index}`, createHash('sha256').update(file).digest('hex')]));
  const provisionalIdOf = new Map(files.map((file, index) => [file, `ref-${index}`]));
  return dependencies.submitJob(jobSpecOf(input.sessionId, input.spec, (file) => provisionalIdOf.get(file) ?? ''), { dryRun: true, provisionalAssetSha256ById: provisional });
}

/** How starting a session ended. */
export type StartedCliSession =
  | {
      status: 'submitted';
      record: CliSessionRecord;
      job: Job;
      /** Calls the job makes. */
      callCount: number;
      /** Calls left out because they completed in earlier sessions. */
      skippedTaskCount: number;
      /** The job's own webhooks; `generatedSecret` is set (shown once) where the job named no secret. */
      webhooks: Array<{ url: string; generatedSecret: string | undefined }>;
    }
  | { status: 'nothing_to_do'; skippedTaskCount: number };

export interface StartCliSessionInput {
  sessionId: string;
  spec: CliSessionSpec;
  /** The record's own fields: where the command ran, the output folder and layout, the settings as given. */
  record: Pick<CliSessionRecord, 'cwd' | 'out' | 'layout' | 'config'>;
}

export interface StartCliSessionDependencies {
  submitJob: SubmitJobCall;
  /** Stores a reference image file (deduped by content). */
  importAssetFile: (filePath: string, originalName: string) => Promise<{ asset: Asset }>;
  records: Pick<CliSessionRecords, 'write' | 'remove'>;
  clock: Pick<Clock, 'now'>;
}

/**
 * Imports the references, writes the session record and creates the job. The session is not run:
 * the caller runs it. Errors come as the submit operation reports them (`invalid_input` naming
 * core fields, such as `combos.3.referenceAssetIds`), for the shell to re-label.
 */
export async function startCliSession(input: StartCliSessionInput, dependencies: StartCliSessionDependencies): Promise<StartedCliSession> {
  const { sessionId } = input;
  const assetIdByFile = await importReferences(dependencies, referenceFilesOf(input.spec));
  const spec = jobSpecOf(sessionId, input.spec, (file) => assetIdByFile.get(file) ?? '');
  const record: CliSessionRecord = {
    version: 1,
    session_id: sessionId,
    job_id: null,
    created: new Date(dependencies.clock.now()).toISOString(),
    cwd: input.record.cwd,
    out: input.record.out,
    layout: input.record.layout,
    parent_session: null,
    config: input.record.config,
  };
  let recordWritten = false;
  let submitted: SubmitJobResult;
  try {
    submitted = await dependencies.submitJob(spec, {
      skipCompletedKeys: true,
      skipEmptyJob: true,
      // The record first: a crash before the job exists leaves a session that says so.
      beforeCreate: async () => {
        await dependencies.records.write(record);
        recordWritten = true;
      },
    });
  } catch (error) {
    if (recordWritten) await dependencies.records.remove(sessionId);
    throw error;
  }
  const job = submitted.job;
  if (!job) {
    if (submitted.plan.tasks.length === submitted.skippedTaskCount) return { status: 'nothing_to_do', skippedTaskCount: submitted.skippedTaskCount };
    throw new ImagefleetError('internal', 'The job was not created.');
  }
  const saved: CliSessionRecord = { ...record, job_id: job.id };
  await dependencies.records.write(saved);
  return {
    status: 'submitted',
    record: saved,
    job,
    callCount: submitted.plan.tasks.length - submitted.skippedTaskCount,
    skippedTaskCount: submitted.skippedTaskCount,
    webhooks: submitted.webhooks,
  };
}

function referenceFilesOf(spec: CliSessionSpec): string[] {
  return [...new Set(spec.combos.flatMap((combo) => combo.referenceFiles))];
}

function jobSpecOf(sessionId: string, spec: CliSessionSpec, assetIdOf: (file: string) => string): CliJobSpecInput {
  const { combos, ...rest } = spec;
  return {
    ...rest,
    mode: 'cli',
    name: sessionId,
    combos: combos.map((combo) => ({ id: combo.id, referenceAssetIds: combo.referenceFiles.map(assetIdOf), variables: combo.variables })),
  };
}

/** Four at a time: enough to overlap file reads and encoding without flooding the disk. */
async function importReferences(dependencies: Pick<StartCliSessionDependencies, 'importAssetFile'>, files: readonly string[]): Promise<Map<string, string>> {
  const assetIdByFile = new Map<string, string>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const { asset } = await dependencies.importAssetFile(file, path.basename(file));
      assetIdByFile.set(file, asset.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return assetIdByFile;
}
