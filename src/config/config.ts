/**
 * imagefleet's configuration: the one zod schema of every environment variable, and the `Config`
 * shape the shells hand to `createFleet`. Reading the environment is `loadConfig`'s job; this file
 * only says what is allowed. docs/configuration.md documents every variable here (a test keeps the
 * two in sync).
 */
import { z } from 'zod';
import { isImagefleetError } from '../core/errors.js';
import { defaultDownloadTemplate, downloadTemplateVariables, parseDownloadTemplate } from '../core/export-names.js';
import { defaultWebhookEventTypes, webhookEventTypes, type WebhookEventType } from '../core/webhook-events.js';
import { defaultWebhookRetryDelaysMs } from '../core/webhook-retry-schedule.js';
import { isWebhookSecret } from '../core/webhook-signature.js';

/** Log levels, most to least severe; `silent` logs nothing. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** How log lines are written: `auto` = readable on a terminal, JSON lines otherwise. */
export const logFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** One provider's limits. They hold across every process sharing the data store (DESIGN §5.5). */
export interface ProviderLimits {
  /** Requests per minute (all processes together); 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once (all processes together); at least 1. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, in milliseconds; 0 = none. */
  cooldownMs: number;
}

export interface Config {
  /** Absolute data directory (database and files). `IMAGEFLEET_DATA_DIR`, default `./data` resolved against the working directory. */
  dataDir: string;
  /** Absolute path of the SQLite database: `<dataDir>/imagefleet.db`. */
  databasePath: string;
  /** Absolute directory of stored files (references, outputs, thumbnails): `<dataDir>/files`. */
  blobsDir: string;
  server: {
    /** Address the web server listens on. `IMAGEFLEET_HOST`, default `127.0.0.1`. */
    host: string;
    /** TCP port of the web server. `IMAGEFLEET_PORT`, default `3000`. */
    port: number;
    /** Token API clients must present; required when `host` is not a loopback address. `IMAGEFLEET_API_TOKEN`, default unset. */
    apiToken: string | undefined;
    /**
     * Host names (or IP addresses) requests may name in their `Host` header; anything else is
     * refused before it reaches a route, which stops DNS rebinding. Always allowed besides these:
     * loopback names and addresses, the listen address, and the host of `IMAGEFLEET_PUBLIC_URL`.
     * `IMAGEFLEET_ALLOWED_HOSTS` (comma-separated; `*` allows any host), default empty.
     */
    allowedHosts: string[];
    /** Absolute lifetime of a web sign-in, in ms. `IMAGEFLEET_SESSION_TTL_MS`, default 604800000 (7 days). */
    sessionTtlMs: number;
    /** A web sign-in ends after this long without a request, in ms. `IMAGEFLEET_SESSION_IDLE_MS`, default 86400000 (24 h). */
    sessionIdleMs: number;
  };
  /** Least severe level that is logged. `IMAGEFLEET_LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /**
   * How log lines are written. `IMAGEFLEET_LOG_FORMAT`, default `auto`: coloured, human-readable
   * lines when the log goes to a terminal, one JSON object per line otherwise (pipes, files, log
   * collectors); `json` and `pretty` force one or the other.
   */
  logFormat: LogFormat;
  engine: {
    /** How long a claimed task stays reserved without a renewal, in ms. `IMAGEFLEET_LEASE_MS`, default 30000, min 1000. */
    leaseMs: number;
    /** Most provider calls in flight in this process, in calls. `IMAGEFLEET_MAX_IN_FLIGHT`, default 16. */
    maxInFlight: number;
    /** On stop, how long in-flight calls may still finish before they are aborted, in ms. `IMAGEFLEET_SHUTDOWN_GRACE_MS`, default 30000. */
    shutdownGraceMs: number;
    /** Transient failures of one task before it fails, in attempts. `IMAGEFLEET_MAX_ATTEMPTS`, default 5. */
    maxAttempts: number;
    /** Lease expirations (worker deaths) of one task before it fails as poison. `IMAGEFLEET_MAX_LEASE_EXPIRATIONS`, default 3. */
    maxLeaseExpirations: number;
    /** Wait between two claim attempts when there is no work, in ms. `IMAGEFLEET_IDLE_POLL_MS`, default 250. */
    idlePollMs: number;
    /** First retry delay of the exponential backoff, in ms. `IMAGEFLEET_RETRY_BASE_MS`, default 1000. */
    retryBaseMs: number;
    /** Longest retry delay, in ms; at least `retryBaseMs`. `IMAGEFLEET_RETRY_MAX_MS`, default 60000. */
    retryMaxMs: number;
    /** How long engine events are kept, in ms. `IMAGEFLEET_EVENT_RETENTION_MS`, default 604800000 (7 days). */
    eventRetentionMs: number;
  };
  /** Limits and defaults of the HTTP API (uploads, ZIP uploads, ZIP downloads). */
  api: {
    /** Largest single image upload, in bytes. `IMAGEFLEET_UPLOAD_MAX_BYTES`, default 52428800 (50 MiB). */
    uploadMaxBytes: number;
    /** Most pixels (width × height) an uploaded image may have; checked before decoding. `IMAGEFLEET_UPLOAD_MAX_PIXELS`, default 100000000. */
    uploadMaxPixels: number;
    /** Largest ZIP upload (the archive itself), in bytes. `IMAGEFLEET_ZIP_UPLOAD_MAX_BYTES`, default 1073741824 (1 GiB). */
    zipUploadMaxBytes: number;
    /** Most bytes all entries of one ZIP upload may expand to. `IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES`, default 2147483648 (2 GiB). */
    zipMaxExpandedBytes: number;
    /** Most entries one ZIP upload may hold. `IMAGEFLEET_ZIP_MAX_ENTRIES`, default 10000. */
    zipMaxEntries: number;
    /** Path template of files inside ZIP downloads. `IMAGEFLEET_DOWNLOAD_TEMPLATE`, default `{prompt}/{index}_{seed}`. */
    downloadTemplate: string;
    /**
     * The address other machines reach this server at (e.g. `https://imagefleet.example.com`), used
     * for signed, expiring links remote workers fetch reference images from. `IMAGEFLEET_PUBLIC_URL`,
     * default unset (no links: references travel inline).
     */
    publicUrl: string | undefined;
  };
  /** Outgoing webhooks (docs/api.md "Webhooks"). */
  webhooks: {
    /** Endpoint every job also reports to; set together with `defaultSecret`. `IMAGEFLEET_WEBHOOK_URL`, default unset. */
    defaultUrl: string | undefined;
    /** Signing secret of `defaultUrl`, `whsec_` + base64. Never logged or shown. `IMAGEFLEET_WEBHOOK_SECRET`, default unset. */
    defaultSecret: string | undefined;
    /** Events `defaultUrl` receives. `IMAGEFLEET_WEBHOOK_EVENTS`, default `job.completed,job.failed,job.canceled,job.paused`. */
    defaultEvents: WebhookEventType[];
    /** Allow loopback, private, link-local and other internal targets (SSRF guard off). `IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE`, default false. */
    allowPrivateTargets: boolean;
    /** Longest time for one delivery attempt, in ms. `IMAGEFLEET_WEBHOOK_TIMEOUT_MS`, default 10000. */
    timeoutMs: number;
    /** Waits after each failed attempt, in ms; their count is the number of retries. `IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS`, default 5 s, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h. */
    retryDelaysMs: number[];
  };
  /** Settings of `imagefleet runpod-worker`, the service inside the RunPod worker image. */
  runpodWorker: {
    /** Loopback port the worker service listens on (the Python handler forwards jobs to it). `RUNPOD_WORKER_PORT`, default 3100. */
    port: number;
    /** Jobs one worker runs at once (the Python handler's concurrency). `RUNPOD_WORKER_CONCURRENCY`, default 1. */
    concurrency: number;
    /** Most base64 bytes of images one job returns inline; larger results need a bucket. `RUNPOD_WORKER_INLINE_MAX_BYTES`, default 15728640. */
    inlineMaxBytes: number;
    /** S3-compatible bucket results are uploaded to; undefined = results go back inline. */
    bucket: WorkerBucketSettings | undefined;
  };
  providers: {
    local: {
      /** Artificial delay per call of the offline provider, in ms (to rehearse slow providers). `IMAGEFLEET_LOCAL_LATENCY_MS`, default 0. */
      simulatedLatencyMs: number;
      /** `IMAGEFLEET_LOCAL_RPM` (default 0 = unlimited), `IMAGEFLEET_LOCAL_CONCURRENCY` (default 4), `IMAGEFLEET_LOCAL_COOLDOWN_MS` (default 0). */
      limits: ProviderLimits;
    };
    gemini: {
      /** Google Gemini API key; unset = provider not configured. Never logged or shown. `GEMINI_API_KEY`. */
      apiKey: string | undefined;
      /** Base URL of the Gemini API (a proxy or a test fake); unset = Google's endpoint. `GEMINI_BASE_URL`. */
      baseUrl: string | undefined;
      /** `GEMINI_RPM` (default 10), `GEMINI_CONCURRENCY` (default 4), `GEMINI_COOLDOWN_MS` (default 0). */
      limits: ProviderLimits;
      /** Longest wait for one online call (one attempt), in ms. `GEMINI_TIMEOUT_MS`, default 300000 (5 min: Pro at 4K is slow). */
      timeoutMs: number;
      /**
       * Wire model id per friendly model name, overriding the built-in table (Google renames and
       * retires ids). `GEMINI_MODEL_NANO_BANANA`, `GEMINI_MODEL_NANO_BANANA_PRO`, `GEMINI_MODEL_NANO_BANANA_2`; unset = built-in.
       */
      modelIds: GeminiModelIdOverrides;
      batch: {
        /**
         * Limits of the batch lane, kept apart from the online ones: `maxConcurrency` = batch-lane tasks
         * submitted or waiting at once across every process (`GEMINI_BATCH_CONCURRENCY`, default 1000);
         * no RPM, no cool-down.
         */
        limits: ProviderLimits;
        /** Most requests in one Batch API job. `GEMINI_BATCH_MAX_REQUESTS`, default 1000. */
        maxRequestsPerBatch: number;
        /** How long requests are gathered into one batch after the first arrives, in ms. `GEMINI_BATCH_GATHER_MS`, default 5000. */
        gatherMs: number;
        /** First wait between two status checks of a batch, in ms; it grows 1.5× per check up to 10×. `GEMINI_BATCH_POLL_MS`, default 30000. */
        pollIntervalMs: number;
      };
    };
    runpod: {
      /** RunPod API key; with `endpointId`, registers the `runpod` provider. Never logged or shown. `RUNPOD_API_KEY`, default unset. */
      apiKey: string | undefined;
      /** Id of the Serverless endpoint running imagefleet's worker image. `RUNPOD_ENDPOINT_ID`, default unset. */
      endpointId: string | undefined;
      /** Base URL of the queue API, without the endpoint id (a proxy or a test fake). `RUNPOD_BASE_URL`, default `https://api.runpod.ai/v2`. */
      baseUrl: string;
      /** `RUNPOD_RPM` (job submissions per minute, default 600), `RUNPOD_CONCURRENCY` (jobs submitted and unfinished at once, default 16), `RUNPOD_COOLDOWN_MS` (default 0). */
      limits: ProviderLimits;
      /** Provider the worker image runs (`gemini`, `local`, `sdwebui`, `comfyui`); decides the models offered. `RUNPOD_WORKER_PROVIDER`, default `gemini`. */
      workerProvider: string;
      /** Model ids offered, a subset of the worker provider's; undefined = all. `RUNPOD_MODELS`, default unset. */
      modelIds: string[] | undefined;
      /** `policy.executionTimeout` of each job, in ms (RunPod: 5 s to 7 days). `RUNPOD_EXECUTION_TIMEOUT_MS`, default 600000. */
      executionTimeoutMs: number;
      /** `policy.ttl` of each job (queue time included), in ms (RunPod: 10 s to 7 days). `RUNPOD_TTL_MS`, default 86400000. */
      ttlMs: number;
      /** What one second of worker execution costs, in USD, added to each job's cost and estimate. `RUNPOD_PRICE_PER_SECOND_USD`, default 0.00019. */
      pricePerSecondUsd: number;
    };
    sdwebui: {
      /** Base URL of an AUTOMATIC1111-compatible web UI started with `--api` (also Forge, SD.Next); unset = provider not configured. `SDWEBUI_BASE_URL`. */
      baseUrl: string | undefined;
      /** User name of the web UI's `--api-auth`; set together with `password`. `SDWEBUI_USERNAME`, default unset (no auth). */
      username: string | undefined;
      /** Password of the web UI's `--api-auth`. Never logged or shown. `SDWEBUI_PASSWORD`, default unset. */
      password: string | undefined;
      /** `SDWEBUI_RPM` (default 0 = unlimited), `SDWEBUI_CONCURRENCY` (default 1: the web UI runs one generation at a time), `SDWEBUI_COOLDOWN_MS` (default 0). */
      limits: ProviderLimits;
      /** Longest wait for one generation call, in ms. `SDWEBUI_TIMEOUT_MS`, default 600000 (10 min). */
      timeoutMs: number;
      /** Most images one call makes (the web UI's `batch_size`). `SDWEBUI_MAX_IMAGES_PER_CALL`, default 4. */
      maxImagesPerCall: number;
    };
    comfyui: {
      /** Base URL of a ComfyUI server (started with `--listen` when it runs on another machine); unset = provider not configured. `COMFYUI_BASE_URL`. */
      baseUrl: string | undefined;
      /** Absolute path of an API-format workflow template with imagefleet placeholders; unset = the built-in templates. `COMFYUI_WORKFLOW_PATH`. */
      workflowPath: string | undefined;
      /** `COMFYUI_RPM` (default 0 = unlimited), `COMFYUI_CONCURRENCY` (default 2: prompts queued on the server at once), `COMFYUI_COOLDOWN_MS` (default 0). */
      limits: ProviderLimits;
      /** Longest wait for one HTTP request to ComfyUI (submit, history, upload, download), in ms. `COMFYUI_TIMEOUT_MS`, default 60000. */
      timeoutMs: number;
    };
  };
}

/** An S3-compatible bucket the RunPod worker uploads results to (`BUCKET_*`, as RunPod's own workers name them). */
export interface WorkerBucketSettings {
  /** Endpoint URL including the bucket name, path style. `BUCKET_ENDPOINT_URL`. */
  endpointUrl: string;
  /** `BUCKET_ACCESS_KEY_ID`. */
  accessKeyId: string;
  /** `BUCKET_SECRET_ACCESS_KEY`; never logged. */
  secretAccessKey: string;
  /** Signing region. `BUCKET_REGION`, default `us-east-1` (R2: `auto`). */
  region: string;
}

/** Wire model ids set in the environment, by friendly model name; a missing entry keeps the built-in id. */
export interface GeminiModelIdOverrides {
  'nano-banana'?: string | undefined;
  'nano-banana-pro'?: string | undefined;
  'nano-banana-2'?: string | undefined;
}

/**
 * Describes one environment variable for error messages and documentation. `requirement` completes
 * the sentence "<NAME> must be …".
 */
export interface VariableDescription {
  /** Completes "<NAME> must be …", e.g. "an integer from 1 to 65535". */
  requirement: string;
  /** The default as written in docs/configuration.md; `undefined` when the default is "unset". */
  defaultText: string | undefined;
  /** A secret: its value never appears in an error message. */
  secret: boolean;
}

/** Input of every variable schema: the trimmed, non-empty text, or `undefined` when unset. */
type RawValue = string | undefined;

/** Holds each variable schema's description; read through `describeVariable`. */
const variableRegistry = z.registry<VariableDescription>();

function describe<Schema extends z.ZodType>(schema: Schema, description: VariableDescription): Schema {
  variableRegistry.add(schema, description);
  return schema;
}

/** A whole number in `[minimum, maximum]`, written in plain decimal digits. */
function integerVariable(options: { minimum: number; maximum: number; defaultValue: number }) {
  const requirement = `an integer from ${options.minimum} to ${options.maximum}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): number => {
      if (raw === undefined) return options.defaultValue;
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < options.minimum || value > options.maximum) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return value;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** Free text with a default (paths). */
function textVariable(options: { requirement: string; defaultValue: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue): string => raw ?? options.defaultValue);
  return describe(schema, { requirement: options.requirement, defaultText: options.defaultValue, secret: false });
}

/** A ZIP download path template (see src/core/export-names.ts). */
function downloadTemplateVariable() {
  const requirement = `a path template of text and ${downloadTemplateVariables.map((name) => `{${name}}`).join(', ')}, folders separated by "/"`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string => {
      if (raw === undefined) return defaultDownloadTemplate;
      try {
        parseDownloadTemplate(raw);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `${requirement} (${isImagefleetError(error) ? (error.issues[0]?.message ?? error.message) : String(error)})` });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: defaultDownloadTemplate, secret: false });
}

/** A secret that may be unset; when set it must have at least `minimumLength` characters. */
function secretVariable(options: { minimumLength: number }) {
  const requirement = options.minimumLength > 1 ? `at least ${options.minimumLength} characters long` : 'a non-empty value';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw !== undefined && raw.length < options.minimumLength) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: true });
}

/** An `http:` or `https:` URL that may be unset. */
function httpUrlVariable() {
  const requirement = 'an http(s) URL such as https://proxy.example.com';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return undefined;
      if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

/** Free text that may be unset and is not a secret (a user name, a file path). */
function optionalTextVariable(options: { requirement: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue): string | undefined => raw);
  return describe(schema, { requirement: options.requirement, defaultText: undefined, secret: false });
}

/** A comma-separated list of host names or IP addresses (no scheme, no port), or `*`; lower-cased. */
function hostListVariable() {
  const requirement = 'host names or IP addresses separated by commas, such as imagefleet.lan,192.168.1.20 (no scheme, no port), or * for any';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string[] => {
      if (raw === undefined) return [];
      const hosts = raw
        .split(',')
        .map((host) => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1'))
        .filter((host) => host !== '');
      const valid = (host: string) => host === '*' || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(host) || (host.includes(':') && /^[0-9a-f:.]+$/.test(host));
      if (!hosts.every(valid)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return hosts;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

/** A host name or IP address to listen on: no scheme, no port, no brackets. */
function hostVariable(options: { defaultValue: string }) {
  const requirement = 'a host name or IP address such as 127.0.0.1, ::1 or 0.0.0.0 (no scheme, no port)';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string => {
      if (raw === undefined) return options.defaultValue;
      // IPv6 has colons and maybe a zone (%eth0); host names have letters, digits, dots and dashes.
      const looksLikeIpv6 = raw.includes(':') && /^[0-9a-fA-F:.]+(%[\w.-]+)?$/.test(raw);
      const looksLikeName = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(raw);
      if (!looksLikeIpv6 && !looksLikeName) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: options.defaultValue, secret: false });
}

/** A Gemini model id such as `gemini-3-pro-image` that may be unset (the built-in id applies). */
function geminiModelIdVariable() {
  const requirement = 'a Gemini model id such as gemini-3-pro-image (lowercase letters, digits, dots and dashes)';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return undefined;
      // Ids only: a "models/" prefix or a path would change the URL the SDK builds.
      if (!/^[a-z0-9][a-z0-9.-]*$/.test(raw)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

/** A non-negative decimal number such as `0.00019`, with a default. */
function decimalVariable(options: { maximum: number; defaultValue: number }) {
  const requirement = `a decimal number from 0 to ${options.maximum}, such as 0.00019`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): number => {
      if (raw === undefined) return options.defaultValue;
      const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value) || value > options.maximum) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return value;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** An `http:` or `https:` URL with a default. */
function baseUrlVariable(options: { defaultValue: string }) {
  const requirement = `an http(s) URL such as ${options.defaultValue}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string => {
      if (raw === undefined) return options.defaultValue;
      if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: options.defaultValue, secret: false });
}

/** An identifier (RunPod endpoint id, provider id) that may be unset, or has a default. */
function identifierVariable(options: { requirement: string; defaultValue?: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return options.defaultValue;
      // Ids go into URL paths: letters, digits, dots, underscores and dashes only.
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(raw)) {
        context.addIssue({ code: 'custom', message: options.requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement: options.requirement, defaultText: options.defaultValue, secret: false });
}

/** A comma-separated list of model ids that may be unset. */
function modelListVariable() {
  const requirement = 'model ids separated by commas, such as nano-banana-2,nano-banana-pro';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string[] | undefined => {
      if (raw === undefined) return undefined;
      const ids = raw.split(',').map((id) => id.trim());
      if (ids.some((id) => !/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(id))) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return ids;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

function logFormatVariable() {
  const requirement = `one of ${logFormats.join(', ')}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): LogFormat => {
      if (raw === undefined) return 'auto';
      const format = logFormats.find((candidate) => candidate === raw.toLowerCase());
      if (format === undefined) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return format;
    });
  return describe(schema, { requirement, defaultText: 'auto', secret: false });
}

/** `true` or `false` (also 1/0, yes/no), with a default. */
function booleanVariable(options: { defaultValue: boolean }) {
  const requirement = 'true or false';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): boolean => {
      if (raw === undefined) return options.defaultValue;
      const text = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      context.addIssue({ code: 'custom', message: requirement });
      return z.NEVER;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** A Standard Webhooks secret, `whsec_` + base64, that may be unset. */
function webhookSecretVariable() {
  const requirement = 'whsec_ followed by base64 of 24 to 64 random bytes';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw !== undefined && !isWebhookSecret(raw)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: true });
}

/** A comma-separated list of webhook event types, with a default. */
function webhookEventsVariable() {
  const requirement = `event types separated by commas, from ${webhookEventTypes.join(', ')}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): WebhookEventType[] => {
      if (raw === undefined) return [...defaultWebhookEventTypes];
      const names = raw.split(',').map((name) => name.trim());
      const known: readonly string[] = webhookEventTypes;
      if (names.length === 0 || names.some((name) => !known.includes(name))) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return [...new Set(names as WebhookEventType[])];
    });
  return describe(schema, { requirement, defaultText: defaultWebhookEventTypes.join(','), secret: false });
}

/** A comma-separated list of waits in ms, with a default. */
function delayListVariable(options: { defaultValue: readonly number[]; maximumEach: number }) {
  const requirement = `1 to 20 whole numbers of milliseconds from 0 to ${options.maximumEach}, separated by commas`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): number[] => {
      if (raw === undefined) return [...options.defaultValue];
      const parts = raw.split(',').map((part) => part.trim());
      const values = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
      if (values.length > 20 || values.some((value) => !Number.isSafeInteger(value) || value > options.maximumEach)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return values;
    });
  return describe(schema, { requirement, defaultText: options.defaultValue.join(','), secret: false });
}

function logLevelVariable(options: { defaultValue: LogLevel }) {
  const requirement = `one of ${logLevels.join(', ')}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): LogLevel => {
      if (raw === undefined) return options.defaultValue;
      const level = logLevels.find((candidate) => candidate === raw.toLowerCase());
      if (level === undefined) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return level;
    });
  return describe(schema, { requirement, defaultText: options.defaultValue, secret: false });
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;

/**
 * Every environment variable imagefleet reads, keyed by its name. Each value parses the trimmed
 * text of the variable (or `undefined` when unset) into its typed value with its default.
 */
export const environmentSchema = z.object({
  IMAGEFLEET_DATA_DIR: textVariable({ requirement: 'a directory path', defaultValue: './data' }),
  IMAGEFLEET_HOST: hostVariable({ defaultValue: '127.0.0.1' }),
  IMAGEFLEET_PORT: integerVariable({ minimum: 1, maximum: 65_535, defaultValue: 3000 }),
  IMAGEFLEET_API_TOKEN: secretVariable({ minimumLength: 16 }),
  IMAGEFLEET_ALLOWED_HOSTS: hostListVariable(),
  IMAGEFLEET_SESSION_TTL_MS: integerVariable({ minimum: 1000, maximum: 365 * dayMs, defaultValue: 7 * dayMs }),
  IMAGEFLEET_SESSION_IDLE_MS: integerVariable({ minimum: 1000, maximum: 365 * dayMs, defaultValue: dayMs }),
  IMAGEFLEET_LOG_LEVEL: logLevelVariable({ defaultValue: 'info' }),
  IMAGEFLEET_LOG_FORMAT: logFormatVariable(),

  IMAGEFLEET_LEASE_MS: integerVariable({ minimum: 1000, maximum: dayMs, defaultValue: 30_000 }),
  IMAGEFLEET_MAX_IN_FLIGHT: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 16 }),
  IMAGEFLEET_SHUTDOWN_GRACE_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 30_000 }),
  IMAGEFLEET_MAX_ATTEMPTS: integerVariable({ minimum: 1, maximum: 100, defaultValue: 5 }),
  IMAGEFLEET_MAX_LEASE_EXPIRATIONS: integerVariable({ minimum: 1, maximum: 100, defaultValue: 3 }),
  IMAGEFLEET_IDLE_POLL_MS: integerVariable({ minimum: 10, maximum: minuteMs, defaultValue: 250 }),
  IMAGEFLEET_RETRY_BASE_MS: integerVariable({ minimum: 1, maximum: hourMs, defaultValue: 1000 }),
  IMAGEFLEET_RETRY_MAX_MS: integerVariable({ minimum: 1, maximum: dayMs, defaultValue: 60_000 }),
  IMAGEFLEET_EVENT_RETENTION_MS: integerVariable({ minimum: minuteMs, maximum: 3650 * dayMs, defaultValue: 7 * dayMs }),

  IMAGEFLEET_UPLOAD_MAX_BYTES: integerVariable({ minimum: 1024, maximum: 10 * gibibyte, defaultValue: 50 * mebibyte }),
  IMAGEFLEET_UPLOAD_MAX_PIXELS: integerVariable({ minimum: 1_000_000, maximum: 268_402_689, defaultValue: 100_000_000 }),
  IMAGEFLEET_ZIP_UPLOAD_MAX_BYTES: integerVariable({ minimum: 1024, maximum: 64 * gibibyte, defaultValue: gibibyte }),
  IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES: integerVariable({ minimum: 1024, maximum: 1024 * gibibyte, defaultValue: 2 * gibibyte }),
  IMAGEFLEET_ZIP_MAX_ENTRIES: integerVariable({ minimum: 1, maximum: 100_000, defaultValue: 10_000 }),
  IMAGEFLEET_DOWNLOAD_TEMPLATE: downloadTemplateVariable(),
  IMAGEFLEET_PUBLIC_URL: httpUrlVariable(),

  IMAGEFLEET_WEBHOOK_URL: httpUrlVariable(),
  IMAGEFLEET_WEBHOOK_SECRET: webhookSecretVariable(),
  IMAGEFLEET_WEBHOOK_EVENTS: webhookEventsVariable(),
  IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: booleanVariable({ defaultValue: false }),
  IMAGEFLEET_WEBHOOK_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: 2 * minuteMs, defaultValue: 10_000 }),
  IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: delayListVariable({ defaultValue: defaultWebhookRetryDelaysMs, maximumEach: dayMs }),

  IMAGEFLEET_LOCAL_LATENCY_MS: integerVariable({ minimum: 0, maximum: 10 * minuteMs, defaultValue: 0 }),
  IMAGEFLEET_LOCAL_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
  IMAGEFLEET_LOCAL_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 4 }),
  IMAGEFLEET_LOCAL_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),

  GEMINI_API_KEY: secretVariable({ minimumLength: 1 }),
  GEMINI_BASE_URL: httpUrlVariable(),
  GEMINI_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 10 }),
  GEMINI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 4 }),
  GEMINI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
  GEMINI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: hourMs, defaultValue: 5 * minuteMs }),
  GEMINI_MODEL_NANO_BANANA: geminiModelIdVariable(),
  GEMINI_MODEL_NANO_BANANA_PRO: geminiModelIdVariable(),
  GEMINI_MODEL_NANO_BANANA_2: geminiModelIdVariable(),
  GEMINI_BATCH_CONCURRENCY: integerVariable({ minimum: 1, maximum: 100_000, defaultValue: 1000 }),
  GEMINI_BATCH_MAX_REQUESTS: integerVariable({ minimum: 1, maximum: 100_000, defaultValue: 1000 }),
  GEMINI_BATCH_GATHER_MS: integerVariable({ minimum: 0, maximum: 10 * minuteMs, defaultValue: 5000 }),
  GEMINI_BATCH_POLL_MS: integerVariable({ minimum: 10, maximum: hourMs, defaultValue: 30_000 }),

  RUNPOD_API_KEY: secretVariable({ minimumLength: 1 }),
  RUNPOD_ENDPOINT_ID: identifierVariable({ requirement: 'a RunPod endpoint id such as abc123xyz (letters, digits, dots, underscores and dashes)' }),
  RUNPOD_BASE_URL: baseUrlVariable({ defaultValue: 'https://api.runpod.ai/v2' }),
  RUNPOD_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 600 }),
  RUNPOD_CONCURRENCY: integerVariable({ minimum: 1, maximum: 10_000, defaultValue: 16 }),
  RUNPOD_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
  RUNPOD_WORKER_PROVIDER: identifierVariable({ requirement: 'a provider id the worker image runs: gemini, local, sdwebui or comfyui', defaultValue: 'gemini' }),
  RUNPOD_MODELS: modelListVariable(),
  RUNPOD_EXECUTION_TIMEOUT_MS: integerVariable({ minimum: 5000, maximum: 7 * dayMs, defaultValue: 10 * minuteMs }),
  RUNPOD_TTL_MS: integerVariable({ minimum: 10_000, maximum: 7 * dayMs, defaultValue: dayMs }),
  RUNPOD_PRICE_PER_SECOND_USD: decimalVariable({ maximum: 1, defaultValue: 0.00019 }),

  RUNPOD_WORKER_PORT: integerVariable({ minimum: 1, maximum: 65_535, defaultValue: 3100 }),
  RUNPOD_WORKER_CONCURRENCY: integerVariable({ minimum: 1, maximum: 64, defaultValue: 1 }),
  RUNPOD_WORKER_INLINE_MAX_BYTES: integerVariable({ minimum: 1024, maximum: 19 * mebibyte, defaultValue: 15 * mebibyte }),
  BUCKET_ENDPOINT_URL: httpUrlVariable(),
  BUCKET_ACCESS_KEY_ID: secretVariable({ minimumLength: 1 }),
  BUCKET_SECRET_ACCESS_KEY: secretVariable({ minimumLength: 1 }),
  BUCKET_REGION: identifierVariable({ requirement: 'a signing region such as us-east-1 or auto', defaultValue: 'us-east-1' }),

  SDWEBUI_BASE_URL: httpUrlVariable(),
  SDWEBUI_USERNAME: optionalTextVariable({ requirement: 'a user name (set SDWEBUI_PASSWORD too)' }),
  SDWEBUI_PASSWORD: secretVariable({ minimumLength: 1 }),
  SDWEBUI_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
  SDWEBUI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 1 }),
  SDWEBUI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
  SDWEBUI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: 6 * hourMs, defaultValue: 10 * minuteMs }),
  SDWEBUI_MAX_IMAGES_PER_CALL: integerVariable({ minimum: 1, maximum: 16, defaultValue: 4 }),

  COMFYUI_BASE_URL: httpUrlVariable(),
  COMFYUI_WORKFLOW_PATH: optionalTextVariable({ requirement: 'a path to an API-format workflow JSON file' }),
  COMFYUI_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
  COMFYUI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 2 }),
  COMFYUI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
  COMFYUI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: hourMs, defaultValue: minuteMs }),
});

/** The parsed, typed values of every variable (defaults applied). */
export type EnvironmentValues = z.output<typeof environmentSchema>;
export type EnvironmentVariableName = keyof EnvironmentValues;

/** Names of every environment variable in the schema, in schema order. */
export const environmentVariableNames = Object.keys(environmentSchema.shape) as EnvironmentVariableName[];

/** What a variable accepts and defaults to, for messages and docs. */
export function describeVariable(name: EnvironmentVariableName): VariableDescription {
  const description = variableRegistry.get(environmentSchema.shape[name]);
  // Every field is built by a helper above that registers its description.
  if (description === undefined) throw new Error(`No description for ${name}`);
  return description;
}
