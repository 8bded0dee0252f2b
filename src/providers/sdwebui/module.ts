/** The `sdwebui` provider's module: registered when `SDWEBUI_BASE_URL` is set (src/providers/provider-module.ts). */
import type { ErrorIssue } from '../../core/errors.js';
import { httpUrlVariable, integerVariable, optionalTextVariable, secretVariable } from '../../core/environment-variables.js';
import { defineProviderModule, type ProviderLaneLimits } from '../provider-module.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

export interface SdwebuiSettings {
  /** Base URL of an AUTOMATIC1111-compatible web UI started with `--api` (also Forge, SD.Next); unset = provider not configured. `SDWEBUI_BASE_URL`. */
  baseUrl: string | undefined;
  /** User name of the web UI's `--api-auth`; set together with `password`. `SDWEBUI_USERNAME`, default unset (no auth). */
  username: string | undefined;
  /** Password of the web UI's `--api-auth`. Never logged or shown. `SDWEBUI_PASSWORD`, default unset. */
  password: string | undefined;
  /** `SDWEBUI_RPM` (default 0 = unlimited), `SDWEBUI_CONCURRENCY` (default 1: the web UI runs one generation at a time), `SDWEBUI_COOLDOWN_MS` (default 0). */
  limits: ProviderLaneLimits;
  /** Longest wait for one generation call, in ms. `SDWEBUI_TIMEOUT_MS`, default 600000 (10 min). */
  timeoutMs: number;
  /** Most images one call makes (the web UI's `batch_size`). `SDWEBUI_MAX_IMAGES_PER_CALL`, default 4. */
  maxImagesPerCall: number;
}

export const sdwebuiModule = defineProviderModule({
  id: 'sdwebui',
  environment: {
    SDWEBUI_BASE_URL: httpUrlVariable(),
    SDWEBUI_USERNAME: optionalTextVariable({ requirement: 'a user name (set SDWEBUI_PASSWORD too)' }),
    SDWEBUI_PASSWORD: secretVariable({ minimumLength: 1 }),
    SDWEBUI_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
    SDWEBUI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 1 }),
    SDWEBUI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
    SDWEBUI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: 6 * hourMs, defaultValue: 10 * minuteMs }),
    SDWEBUI_MAX_IMAGES_PER_CALL: integerVariable({ minimum: 1, maximum: 16, defaultValue: 4 }),
  },
  settingsFrom: (values): SdwebuiSettings => ({
    baseUrl: values.SDWEBUI_BASE_URL,
    username: values.SDWEBUI_USERNAME,
    password: values.SDWEBUI_PASSWORD,
    limits: { requestsPerMinute: values.SDWEBUI_RPM, maxConcurrency: values.SDWEBUI_CONCURRENCY, cooldownMs: values.SDWEBUI_COOLDOWN_MS },
    timeoutMs: values.SDWEBUI_TIMEOUT_MS,
    maxImagesPerCall: values.SDWEBUI_MAX_IMAGES_PER_CALL,
  }),
  // Half a login is a typo, not a choice: the web UI would answer 401 to every call.
  crossFieldIssues: (_values, variables): ErrorIssue[] => {
    const usernameSet = variables.isSet('SDWEBUI_USERNAME');
    if (usernameSet === variables.isSet('SDWEBUI_PASSWORD')) return [];
    const missing = usernameSet ? 'SDWEBUI_PASSWORD' : 'SDWEBUI_USERNAME';
    const present = usernameSet ? 'SDWEBUI_USERNAME' : 'SDWEBUI_PASSWORD';
    return [{ path: missing, message: `${variables.labelOf(missing)} must be set when ${variables.labelOf(present)} is (the web UI's --api-auth takes both), or unset both for a web UI without a login` }];
  },
  limits: (settings) => settings.limits,
  create: async (settings, context) => {
    if (settings.baseUrl === undefined) return undefined;
    const { createSdwebuiProvider } = await import('./sdwebui-provider.js');
    const provider = createSdwebuiProvider({
      baseUrl: settings.baseUrl,
      login: settings.username !== undefined && settings.password !== undefined ? { username: settings.username, password: settings.password } : undefined,
      timeoutMs: settings.timeoutMs,
      maxImagesPerCall: settings.maxImagesPerCall,
      logger: context.logger,
    });
    // Jobs name checkpoints the server lists, so read the list before anything is submitted (a server that is down only logs a warning).
    await provider.refreshCatalog();
    return { provider };
  },
});
