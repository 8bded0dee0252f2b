/**
 * imagefleet's configuration: the one zod schema of every environment variable (the app's own,
 * and each provider module's fragment, src/providers/<id>/module.ts), and the `Config` shape the
 * shells hand to `createFleet`. Reading the environment is `loadConfig`'s job; this file
 * only says what is allowed. docs/configuration.md documents every variable here (a test keeps the
 * two in sync).
 */
import { z } from 'zod';
import {
  booleanVariable,
  describe,
  httpUrlVariable,
  identifierVariable,
  integerVariable,
  optionalTextVariable,
  secretVariable,
  textVariable,
  variableDescription,
  type RawValue,
  type VariableDescription,
} from '../core/environment-variables.js';
import { isImagefleetError } from '../core/errors.js';
import { defaultDownloadTemplate, downloadTemplateVariables, parseDownloadTemplate } from '../core/export-names.js';
import { defaultWebhookEventTypes, webhookEventTypes, type WebhookEventType } from '../core/webhook-events.js';
import { defaultWebhookRetryDelaysMs } from '../core/webhook-retry-schedule.js';
import { isWebhookSecret } from '../core/webhook-signature.js';
import { comfyuiModule } from '../providers/comfyui/module.js';
import { geminiModule } from '../providers/gemini/module.js';
import { localModule } from '../providers/local/module.js';
import type { ProviderLaneLimits } from '../providers/provider-module.js';
import type { ProviderSettingsById } from '../providers/provider-modules.js';
import { runpodModule } from '../providers/runpod/module.js';
import { sdwebuiModule } from '../providers/sdwebui/module.js';
import type { WorkerBucketSettings } from '../providers/runpod/worker-bucket-settings.js';
import type { S3Location } from '../store/blobs/s3-location.js';

export type { VariableDescription } from '../core/environment-variables.js';
export type { GeminiModelIdOverrides } from '../providers/gemini/model-id-overrides.js';
export type { WorkerBucketSettings } from '../providers/runpod/worker-bucket-settings.js';
export type { S3Location } from '../store/blobs/s3-location.js';

/** Log levels, most to least severe; `silent` logs nothing. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** How log lines are written: `auto` = readable on a terminal, JSON lines otherwise. */
export const logFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** One provider's limits (the provider modules' type; src/providers/provider-module.ts). */
export type ProviderLimits = ProviderLaneLimits;

/**
 * Where jobs, tasks, events and sessions live. `sqlite`: a file in this process's data directory
 * (the embedded default, one machine). `postgres`: one database every process and machine shares
 * (`IMAGEFLEET_DATABASE_URL`, DESIGN §9).
 */
export type StoreSettings =
  | {
      kind: 'sqlite';
      /** Absolute path of the SQLite database file (`<dataDir>/imagefleet.db`). */
      databasePath: string;
    }
  | {
      kind: 'postgres';
      /** `IMAGEFLEET_DATABASE_URL` as given, password included: never log or show it (use `displayUrl`). */
      connectionString: string;
      /** The URL with its password replaced by `***`, for logs, messages and the health report. */
      displayUrl: string;
      /** Host (and port, when given) of the server, for the health report. */
      host: string;
      /** Database name; empty when the URL names none (the server then uses the user's name). */
      database: string;
      /** Pooled connections in this process. `IMAGEFLEET_DATABASE_POOL_SIZE`, default 10. */
      poolSize: number;
    };

/**
 * Where blob bytes (references, outputs, thumbnails) live. `files`: a directory of this process's
 * data directory (the embedded default). `s3`: an S3-compatible bucket every process shares
 * (`IMAGEFLEET_BLOB_URL` with the standard AWS variables, decision 0037).
 */
export type BlobSettings =
  | {
      kind: 'files';
      /** Absolute directory of the stored files (`<dataDir>/files`). */
      directory: string;
    }
  | {
      kind: 's3';
      /** Bucket, key prefix, endpoint, region, addressing and credentials (the credentials are secrets). */
      location: S3Location;
    };

export interface Config {
  /**
   * Absolute data directory of this process. `IMAGEFLEET_DATA_DIR`, default `./data` resolved
   * against the working directory. With the embedded default it holds the shared state (database
   * and files); with Postgres and S3 configured only this process's temporary files and caches.
   */
  dataDir: string;
  /** Absolute path of the SQLite database: `<dataDir>/imagefleet.db` (used only when `store.kind` is `sqlite`). */
  databasePath: string;
  /** Absolute directory of stored files: `<dataDir>/files` (used only when `blobs.kind` is `files`). */
  blobsDir: string;
  /** The store every shell and engine of this process uses: SQLite in `databasePath`, or Postgres. */
  store: StoreSettings;
  /** The blob store: files in `blobsDir`, or an S3-compatible bucket. */
  blobs: BlobSettings;
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
  /** Each provider's settings, as its module (src/providers/<id>/module.ts) parses them from its variables. */
  providers: ProviderSettingsById;
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

/** `IMAGEFLEET_DATABASE_URL`: a PostgreSQL URL; a secret (it usually holds the password), so never quoted back. */
function databaseUrlVariable() {
  const requirement = 'a postgres:// or postgresql:// URL such as postgres://imagefleet:password@db.example.com:5432/imagefleet';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return undefined;
      const url = URL.canParse(raw) ? new URL(raw) : undefined;
      if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol) || url.hostname === '') {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: true });
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;

/**
 * Every environment variable imagefleet reads, keyed by its name. Each value parses the trimmed
 * text of the variable (or `undefined` when unset) into its typed value with its default. Each
 * provider's variables are its module's fragment (src/providers/<id>/module.ts); the RunPod
 * worker's (`RUNPOD_WORKER_*`, `BUCKET_*`) are the `imagefleet runpod-worker` service's, here.
 */
export const environmentSchema = z.object({
  IMAGEFLEET_DATA_DIR: textVariable({ requirement: 'a directory path', defaultValue: './data' }),
  IMAGEFLEET_DATABASE_URL: databaseUrlVariable(),
  IMAGEFLEET_DATABASE_POOL_SIZE: integerVariable({ minimum: 1, maximum: 200, defaultValue: 10 }),
  IMAGEFLEET_BLOB_URL: optionalTextVariable({ requirement: 's3://bucket or s3://bucket/prefix' }),
  AWS_ACCESS_KEY_ID: secretVariable({ minimumLength: 1 }),
  AWS_SECRET_ACCESS_KEY: secretVariable({ minimumLength: 1 }),
  AWS_SESSION_TOKEN: secretVariable({ minimumLength: 1 }),
  AWS_REGION: optionalTextVariable({ requirement: 'a region name such as us-east-1, eu-west-1 or auto' }),
  AWS_DEFAULT_REGION: optionalTextVariable({ requirement: 'a region name such as us-east-1, eu-west-1 or auto' }),
  AWS_ENDPOINT_URL_S3: optionalTextVariable({ requirement: 'an http(s) URL such as http://127.0.0.1:9000' }),
  AWS_ENDPOINT_URL: optionalTextVariable({ requirement: 'an http(s) URL such as http://127.0.0.1:9000' }),
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

  ...localModule.environment,
  ...geminiModule.environment,
  ...runpodModule.environment,

  RUNPOD_WORKER_PORT: integerVariable({ minimum: 1, maximum: 65_535, defaultValue: 3100 }),
  RUNPOD_WORKER_CONCURRENCY: integerVariable({ minimum: 1, maximum: 64, defaultValue: 1 }),
  RUNPOD_WORKER_INLINE_MAX_BYTES: integerVariable({ minimum: 1024, maximum: 19 * mebibyte, defaultValue: 15 * mebibyte }),
  BUCKET_ENDPOINT_URL: httpUrlVariable(),
  BUCKET_ACCESS_KEY_ID: secretVariable({ minimumLength: 1 }),
  BUCKET_SECRET_ACCESS_KEY: secretVariable({ minimumLength: 1 }),
  BUCKET_REGION: identifierVariable({ requirement: 'a signing region such as us-east-1 or auto', defaultValue: 'us-east-1' }),

  ...sdwebuiModule.environment,
  ...comfyuiModule.environment,
});

/** The parsed, typed values of every variable (defaults applied). */
export type EnvironmentValues = z.output<typeof environmentSchema>;
export type EnvironmentVariableName = keyof EnvironmentValues;

/** Names of every environment variable in the schema, in schema order. */
export const environmentVariableNames = Object.keys(environmentSchema.shape) as EnvironmentVariableName[];

/** What a variable accepts and defaults to, for messages and docs. */
export function describeVariable(name: EnvironmentVariableName): VariableDescription {
  const description = variableDescription(environmentSchema.shape[name]);
  // Every field is built by a helper above that registers its description.
  if (description === undefined) throw new Error(`No description for ${name}`);
  return description;
}
