/**
 * Builds the `Config` from environment variables and command-line flags. Pure: the caller passes
 * the environment (shells pass `process.env`) and the working directory, so tests and several
 * fleets in one process never share hidden state.
 */
import path from 'node:path';
import { ImagefleetError, isImagefleetError, type ErrorIssue } from '../core/errors.js';
import { parseS3Location, type S3Environment } from '../store/blobs/s3-location.js';
import {
  describeVariable,
  environmentSchema,
  environmentVariableNames,
  type BlobSettings,
  type Config,
  type EnvironmentValues,
  type EnvironmentVariableName,
  type StoreSettings,
  type WorkerBucketSettings,
} from './config.js';
import { providerCrossFieldIssues, providerSettingsFrom } from '../providers/provider-modules.js';
import { isLoopbackHost } from './is-loopback-host.js';

/** Command-line flags; each one set overrides its environment variable. */
export interface ConfigFlags {
  /** `--data-dir`, overrides `IMAGEFLEET_DATA_DIR`. */
  dataDir?: string | undefined;
  /** `--port`, overrides `IMAGEFLEET_PORT`. */
  port?: string | number | undefined;
  /** `--host`, overrides `IMAGEFLEET_HOST`. */
  host?: string | undefined;
  /** `--log-level`, overrides `IMAGEFLEET_LOG_LEVEL`. */
  logLevel?: string | undefined;
  /**
   * Directory a relative data directory is resolved against. Shells pass `process.cwd()`; the
   * default `env.PWD ?? '.'` exists for callers without one (PWD can be stale in a child process
   * started with another cwd, hence the flag).
   */
  cwd?: string | undefined;
}

const flagOverrides: ReadonlyArray<{ variable: EnvironmentVariableName; flag: keyof ConfigFlags; flagName: string }> = [
  { variable: 'IMAGEFLEET_DATA_DIR', flag: 'dataDir', flagName: '--data-dir' },
  { variable: 'IMAGEFLEET_PORT', flag: 'port', flagName: '--port' },
  { variable: 'IMAGEFLEET_HOST', flag: 'host', flagName: '--host' },
  { variable: 'IMAGEFLEET_LOG_LEVEL', flag: 'logLevel', flagName: '--log-level' },
];

/** Where one variable's value came from, for messages that name what the user actually typed. */
interface RawSetting {
  /** The variable name, or the flag that overrode it. */
  label: string;
  /** Trimmed text, or `undefined` when unset. */
  text: string | undefined;
}

/**
 * Reads and validates the configuration. Throws `ImagefleetError('config_invalid')` listing every
 * bad variable at once; each message names the variable (or flag) and says what is allowed. Secret
 * values never appear in messages.
 */
export function loadConfig(env: Record<string, string | undefined>, flags: ConfigFlags = {}): Config {
  const issues: ErrorIssue[] = [];
  const settings = new Map<EnvironmentVariableName, RawSetting>();
  const input: Partial<Record<EnvironmentVariableName, string>> = {};

  for (const name of environmentVariableNames) {
    const override = flagOverrides.find((candidate) => candidate.variable === name);
    const flagValue = override === undefined ? undefined : flags[override.flag];
    const fromFlag = override !== undefined && flagValue !== undefined;
    const label = fromFlag ? override.flagName : name;
    const text = (fromFlag ? String(flagValue) : env[name])?.trim();
    settings.set(name, { label, text });
    if (text === '') {
      issues.push({ path: name, message: emptyValueMessage(name, label) });
    } else if (text !== undefined) {
      input[name] = text;
    }
  }

  const parsedValues: Partial<EnvironmentValues> = {};
  for (const name of environmentVariableNames) {
    if (settings.get(name)?.text === '') continue;
    const result = environmentSchema.shape[name].safeParse(input[name]);
    if (result.success) {
      Object.assign(parsedValues, { [name]: result.data });
      continue;
    }
    const { label, text } = settings.get(name) ?? { label: name, text: undefined };
    const { secret } = describeVariable(name);
    for (const issue of result.error.issues) {
      issues.push({ path: name, message: `${label} must be ${issue.message}${secret ? '' : ` (got "${text}")`}` });
    }
  }

  issues.push(...crossFieldIssues(parsedValues, settings));

  if (issues.length > 0) {
    // Schema order (the order of docs/configuration.md) reads better than discovery order.
    const position = (issue: ErrorIssue) => environmentVariableNames.indexOf(issue.path as EnvironmentVariableName);
    issues.sort((left, right) => position(left) - position(right));
    throw new ImagefleetError('config_invalid', issues.map((issue) => issue.message).join('; '), { issues });
  }
  const values = environmentSchema.parse(input);
  return toConfig(values, flags.cwd ?? env.PWD ?? '.');
}

function emptyValueMessage(name: EnvironmentVariableName, label: string): string {
  const { secret, defaultText } = describeVariable(name);
  if (secret) return `${label} is set but empty: set it to a real value or unset it`;
  const fallback = defaultText === undefined ? 'leave it unset' : `unset it to use the default (${defaultText})`;
  return `${label} is set but empty: set a value or ${fallback}`;
}

/** Rules that involve two variables; checked only on values that parsed. */
function crossFieldIssues(values: Partial<EnvironmentValues>, settings: Map<EnvironmentVariableName, RawSetting>): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const labelOf = (name: EnvironmentVariableName) => settings.get(name)?.label ?? name;

  const { IMAGEFLEET_RETRY_BASE_MS: retryBaseMs, IMAGEFLEET_RETRY_MAX_MS: retryMaxMs } = values;
  if (retryBaseMs !== undefined && retryMaxMs !== undefined && retryMaxMs < retryBaseMs) {
    issues.push({
      path: 'IMAGEFLEET_RETRY_MAX_MS',
      message: `${labelOf('IMAGEFLEET_RETRY_MAX_MS')} must be at least ${labelOf('IMAGEFLEET_RETRY_BASE_MS')} (${retryBaseMs}) (got "${retryMaxMs}")`,
    });
  }

  // The S3 rules (bucket name, keys, endpoint) are the blob adapter's own, said in one sentence each.
  if (values.IMAGEFLEET_BLOB_URL !== undefined) {
    try {
      parseS3Location(s3EnvironmentOf(values));
    } catch (error) {
      if (!isImagefleetError(error)) throw error;
      const path = error.issues[0]?.path || 'IMAGEFLEET_BLOB_URL';
      issues.push({ path, message: error.message.replace(/\.$/, '') });
    }
  }

  // Half a bucket setting would silently send results inline; say which part is missing instead.
  const bucketNames = ['BUCKET_ENDPOINT_URL', 'BUCKET_ACCESS_KEY_ID', 'BUCKET_SECRET_ACCESS_KEY'] as const;
  const bucketSet = bucketNames.filter((name) => settings.get(name)?.text !== undefined);
  if (bucketSet.length > 0 && bucketSet.length < bucketNames.length) {
    const missing = bucketNames.filter((name) => !bucketSet.includes(name));
    issues.push({ path: missing[0] ?? 'BUCKET_ENDPOINT_URL', message: `${missing.join(' and ')} must be set too: ${bucketSet.join(' and ')} ${bucketSet.length === 1 ? 'is' : 'are'} set, and uploads need all three` });
  }
  // Each provider's own rules (e.g. the web UI's login comes as a pair).
  issues.push(
    ...providerCrossFieldIssues(values, {
      isSet: (name) => settings.get(name as EnvironmentVariableName)?.text !== undefined,
      labelOf: (name) => labelOf(name as EnvironmentVariableName),
    }),
  );

  // A default endpoint without its secret could never be verified; a secret alone does nothing.
  const webhookUrlSet = settings.get('IMAGEFLEET_WEBHOOK_URL')?.text !== undefined;
  const webhookSecretSet = settings.get('IMAGEFLEET_WEBHOOK_SECRET')?.text !== undefined;
  if (webhookUrlSet !== webhookSecretSet) {
    const missing: EnvironmentVariableName = webhookUrlSet ? 'IMAGEFLEET_WEBHOOK_SECRET' : 'IMAGEFLEET_WEBHOOK_URL';
    const present: EnvironmentVariableName = webhookUrlSet ? 'IMAGEFLEET_WEBHOOK_URL' : 'IMAGEFLEET_WEBHOOK_SECRET';
    issues.push({ path: missing, message: `${labelOf(missing)} must be set when ${labelOf(present)} is (receivers verify the signature with it), or unset both` });
  }

  const host = values.IMAGEFLEET_HOST;
  const tokenSetting = settings.get('IMAGEFLEET_API_TOKEN');
  const tokenMissing = tokenSetting?.text === undefined;
  if (host !== undefined && !isLoopbackHost(host) && tokenMissing) {
    issues.push({
      path: 'IMAGEFLEET_API_TOKEN',
      message:
        `${labelOf('IMAGEFLEET_HOST')} is "${host}", which other machines can reach, so IMAGEFLEET_API_TOKEN must be set ` +
        `(${describeVariable('IMAGEFLEET_API_TOKEN').requirement}) to protect the API; or listen on 127.0.0.1`,
    });
  }
  return issues;
}

/** The worker's bucket when `BUCKET_ENDPOINT_URL` is set (its keys are checked in `crossFieldIssues`). */
function workerBucketSettings(values: EnvironmentValues): WorkerBucketSettings | undefined {
  if (values.BUCKET_ENDPOINT_URL === undefined || values.BUCKET_ACCESS_KEY_ID === undefined || values.BUCKET_SECRET_ACCESS_KEY === undefined) return undefined;
  return {
    endpointUrl: values.BUCKET_ENDPOINT_URL,
    accessKeyId: values.BUCKET_ACCESS_KEY_ID,
    secretAccessKey: values.BUCKET_SECRET_ACCESS_KEY,
    region: values.BUCKET_REGION ?? 'us-east-1',
  };
}

/** The S3 variables as the blob adapter's location parser reads them (`AWS_REGION` wins over `AWS_DEFAULT_REGION`, as in the AWS tools). */
function s3EnvironmentOf(values: Partial<EnvironmentValues>): S3Environment {
  return {
    IMAGEFLEET_BLOB_URL: values.IMAGEFLEET_BLOB_URL,
    AWS_ACCESS_KEY_ID: values.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: values.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: values.AWS_SESSION_TOKEN,
    AWS_REGION: values.AWS_REGION ?? values.AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL_S3: values.AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL: values.AWS_ENDPOINT_URL,
  };
}

function storeSettings(values: EnvironmentValues, databasePath: string): StoreSettings {
  const connectionString = values.IMAGEFLEET_DATABASE_URL;
  if (connectionString === undefined) return { kind: 'sqlite', databasePath };
  // The schema accepted it, so it parses.
  const url = new URL(connectionString);
  const display = new URL(connectionString);
  if (display.password !== '') display.password = '***';
  return {
    kind: 'postgres',
    connectionString,
    displayUrl: display.toString(),
    host: url.host,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    poolSize: values.IMAGEFLEET_DATABASE_POOL_SIZE,
  };
}

function blobSettings(values: EnvironmentValues, blobsDir: string): BlobSettings {
  if (values.IMAGEFLEET_BLOB_URL === undefined) return { kind: 'files', directory: blobsDir };
  return { kind: 's3', location: parseS3Location(s3EnvironmentOf(values)) };
}

function toConfig(values: EnvironmentValues, cwd: string): Config {
  const dataDir = path.resolve(cwd, values.IMAGEFLEET_DATA_DIR);
  const databasePath = path.join(dataDir, 'imagefleet.db');
  const blobsDir = path.join(dataDir, 'files');
  return {
    dataDir,
    databasePath,
    blobsDir,
    store: storeSettings(values, databasePath),
    blobs: blobSettings(values, blobsDir),
    server: {
      host: values.IMAGEFLEET_HOST,
      port: values.IMAGEFLEET_PORT,
      apiToken: values.IMAGEFLEET_API_TOKEN,
      allowedHosts: values.IMAGEFLEET_ALLOWED_HOSTS,
      sessionTtlMs: values.IMAGEFLEET_SESSION_TTL_MS,
      sessionIdleMs: values.IMAGEFLEET_SESSION_IDLE_MS,
    },
    logLevel: values.IMAGEFLEET_LOG_LEVEL,
    logFormat: values.IMAGEFLEET_LOG_FORMAT,
    engine: {
      leaseMs: values.IMAGEFLEET_LEASE_MS,
      maxInFlight: values.IMAGEFLEET_MAX_IN_FLIGHT,
      shutdownGraceMs: values.IMAGEFLEET_SHUTDOWN_GRACE_MS,
      maxAttempts: values.IMAGEFLEET_MAX_ATTEMPTS,
      maxLeaseExpirations: values.IMAGEFLEET_MAX_LEASE_EXPIRATIONS,
      idlePollMs: values.IMAGEFLEET_IDLE_POLL_MS,
      retryBaseMs: values.IMAGEFLEET_RETRY_BASE_MS,
      retryMaxMs: values.IMAGEFLEET_RETRY_MAX_MS,
      eventRetentionMs: values.IMAGEFLEET_EVENT_RETENTION_MS,
    },
    api: {
      uploadMaxBytes: values.IMAGEFLEET_UPLOAD_MAX_BYTES,
      uploadMaxPixels: values.IMAGEFLEET_UPLOAD_MAX_PIXELS,
      zipUploadMaxBytes: values.IMAGEFLEET_ZIP_UPLOAD_MAX_BYTES,
      zipMaxExpandedBytes: values.IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES,
      zipMaxEntries: values.IMAGEFLEET_ZIP_MAX_ENTRIES,
      downloadTemplate: values.IMAGEFLEET_DOWNLOAD_TEMPLATE,
      publicUrl: values.IMAGEFLEET_PUBLIC_URL?.replace(/\/+$/, ''),
    },
    webhooks: {
      defaultUrl: values.IMAGEFLEET_WEBHOOK_URL,
      defaultSecret: values.IMAGEFLEET_WEBHOOK_SECRET,
      defaultEvents: values.IMAGEFLEET_WEBHOOK_EVENTS,
      allowPrivateTargets: values.IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: values.IMAGEFLEET_WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: values.IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS,
    },
    runpodWorker: {
      port: values.RUNPOD_WORKER_PORT,
      concurrency: values.RUNPOD_WORKER_CONCURRENCY,
      inlineMaxBytes: values.RUNPOD_WORKER_INLINE_MAX_BYTES,
      bucket: workerBucketSettings(values),
    },
    providers: providerSettingsFrom(values, { cwd }),
  };
}
