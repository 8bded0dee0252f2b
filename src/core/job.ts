import type { AspectRatio, ImageSize } from './image-size.js';

export const jobModes = ['automatic', 'studio', 'cli'] as const;
export type JobMode = (typeof jobModes)[number];

export const jobPriorities = ['interactive', 'normal', 'bulk'] as const;
export type JobPriority = (typeof jobPriorities)[number];

/** Higher runs first. */
export const priorityRank: Record<JobPriority, number> = { interactive: 2, normal: 1, bulk: 0 };

export const lanes = ['online', 'batch'] as const;
export type Lane = (typeof lanes)[number];

export const executionModes = ['parallel', 'sequential'] as const;
export type ExecutionMode = (typeof executionModes)[number];

export const jobStatuses = ['queued', 'processing', 'paused', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const terminalJobStatuses: readonly JobStatus[] = ['completed', 'failed', 'canceled'];

/** A LoRA applied to a generation (providers that support it). */
export interface LoraSetting {
  /** LoRA name as the provider lists it. */
  name: string;
  /** Weight, typically 0..2; default 1. */
  weight: number;
}

/** Generation settings shared by every task of a job. */
export interface GenerationSettings {
  /** Output size class; default `1K`. */
  size: ImageSize;
  /** Output aspect ratio; default `1:1`. */
  aspectRatio: AspectRatio;
  /** What the image must not contain (providers with negative prompts). */
  negativePrompt?: string | undefined;
  /** img2img denoising strength 0..1 (providers with img2img). */
  strength?: number | undefined;
  /** LoRAs applied to every image (providers with LoRA). */
  loras?: LoraSetting[] | undefined;
  /** Provider-specific options passed through untouched. */
  providerOptions?: Record<string, unknown> | undefined;
}

export interface Job {
  id: string;
  mode: JobMode;
  groupId: string;
  /** Free-form label (CLI session name, automatic upload batch name). */
  name: string;
  provider: string;
  model: string;
  settings: GenerationSettings;
  lane: Lane;
  priority: JobPriority;
  execution: ExecutionMode;
  /** Spending cap in USD; undefined = no cap. */
  budgetUsd: number | undefined;
  status: JobStatus;
  /** Why the job is paused or failed, when it is. */
  statusReason: string | undefined;
  /** Sum of the estimated cost of every task, USD. */
  estimatedCostUsd: number;
  /** What completed tasks actually cost, USD. */
  spentUsd: number;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | undefined;
}
