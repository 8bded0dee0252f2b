/**
 * A provider module (DESIGN §3): everything imagefleet knows about one provider in one place — the
 * environment variables it reads (its fragment of the configuration, with names, defaults and the
 * text docs/configuration.md states), the settings they parse into, the limits of each lane, and
 * how to create the provider from those settings. src/config composes the fragments; createFleet
 * creates the providers from `providerModules`. Modules never read src/config or src/engine: they
 * receive their parsed settings and a small context. A module imports its provider's code only
 * inside `create`/`prepare`, so loading the configuration (every CLI start) stays light.
 */
import type { ErrorIssue } from '../core/errors.js';
import type { FragmentValues, VariableFragment } from '../core/environment-variables.js';
import type { Lane } from '../core/job.js';
import type { InputTokenEstimate } from '../core/request-usage-estimate.js';
import type { Logger } from '../core/logger.js';
import type { ImageProvider } from './contract.js';
import type { WorkerBucketSettings } from './runpod/worker-bucket-settings.js';

/** One lane's limits. They hold across every process sharing the data store (DESIGN §5.5). */
export interface ProviderLaneLimits {
  /** Requests per minute (all processes together); 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once (all processes together); at least 1. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, in milliseconds; 0 = none. */
  cooldownMs: number;
  /** True when the rate is `auto`: the engine learns it from the provider's 429s (`requestsPerMinute` is then 0). */
  learnedRate?: boolean;
  /**
   * How the provider counts a call's input tokens, for pacing a learned input-tokens-per-minute
   * quota (issue 18). Absent = the generic estimate (core/request-usage-estimate.ts).
   */
  inputTokenEstimate?: InputTokenEstimate;
}

/** What turning a fragment's values into settings may need beyond the values. */
export interface SettingsContext {
  /** Directory relative paths in the environment are resolved against (the shell's working directory). */
  cwd: string;
}

/** Tells, for cross-variable checks, whether a variable was given and how the user named it. */
export interface VariableSettings {
  /** Whether the variable (or the flag overriding it) has a value. */
  isSet(name: string): boolean;
  /** The variable's name, or the flag that overrode it, for messages. */
  labelOf(name: string): string;
}

/** What creating a provider may use besides its own settings. */
export interface ProviderCreationContext {
  logger: Logger;
  /** Absolute data directory; providers keep their working files under `<dataDirectory>/tmp`. */
  dataDirectory: string;
  /**
   * A signed link remote workers fetch a reference image from, valid `ttlMs`: a presigned GET of
   * the bucket when blobs are in S3, else a link to this server; undefined when there is neither
   * (files and no public URL).
   */
  referenceLink: (sha256: string, ttlMs: number) => string | undefined | Promise<string | undefined>;
  /** Every provider's settings, for a provider that runs another (the RunPod worker runs Gemini's models). */
  settingsById: Readonly<Record<string, unknown>>;
  /** The bucket the RunPod worker uploads results to (`BUCKET_*`); undefined = results come back inline. */
  workerResultBucket: WorkerBucketSettings | undefined;
}

/** A provider once created, with what stopping it takes. */
export interface CreatedProvider {
  provider: ImageProvider;
  /** Releases what the provider holds open (a websocket); called when the fleet stops. */
  close?: (() => void) | undefined;
}

/**
 * One provider's module. `Fragment` is its variables; `Settings` what they parse into; `Prepared`
 * what `prepare` reads before anything else opens (a file that must stop the start when bad).
 */
export interface ProviderModule<Fragment extends VariableFragment, Settings, Prepared = undefined> {
  /** The provider id (also the key of its settings in `Config.providers`). */
  id: string;
  /** Its environment variables, in the order docs/configuration.md lists them. */
  environment: Fragment;
  /** The typed settings from the parsed values. */
  settingsFrom(values: FragmentValues<Fragment>, context: SettingsContext): Settings;
  /** Rules that involve two of its variables; checked only when each parsed. */
  crossFieldIssues?(values: Partial<FragmentValues<Fragment>>, variables: VariableSettings): ErrorIssue[];
  /** Limits of a lane (`online` when none is given). */
  limits(settings: Settings, lane: Lane | undefined): ProviderLaneLimits;
  /** Reads what must be checked before the store opens; default: nothing. */
  prepare?(settings: Settings): Promise<Prepared>;
  /** Creates the provider, or undefined when the settings leave it unconfigured (no key, no URL). */
  create(settings: Settings, context: ProviderCreationContext, prepared: Prepared): Promise<CreatedProvider | undefined>;
}

/** Declares a module with its types inferred (a plain object literal would widen them). */
export function defineProviderModule<Fragment extends VariableFragment, Settings, Prepared = undefined>(module: ProviderModule<Fragment, Settings, Prepared>): ProviderModule<Fragment, Settings, Prepared> {
  return module;
}
