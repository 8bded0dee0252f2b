/** The `local` provider's module: offline, always registered (src/providers/provider-module.ts). */
import { integerVariable } from '../../core/environment-variables.js';
import { defineProviderModule, type ProviderLaneLimits } from '../provider-module.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

export interface LocalSettings {
  /** Artificial delay per call of the offline provider, in ms (to rehearse slow providers). `IMAGEFLEET_LOCAL_LATENCY_MS`, default 0. */
  simulatedLatencyMs: number;
  /** `IMAGEFLEET_LOCAL_RPM` (default 0 = unlimited), `IMAGEFLEET_LOCAL_CONCURRENCY` (default 4), `IMAGEFLEET_LOCAL_COOLDOWN_MS` (default 0). */
  limits: ProviderLaneLimits;
}

export const localModule = defineProviderModule({
  id: 'local',
  environment: {
    IMAGEFLEET_LOCAL_LATENCY_MS: integerVariable({ minimum: 0, maximum: 10 * minuteMs, defaultValue: 0 }),
    IMAGEFLEET_LOCAL_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
    IMAGEFLEET_LOCAL_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 4 }),
    IMAGEFLEET_LOCAL_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
  },
  settingsFrom: (values): LocalSettings => ({
    simulatedLatencyMs: values.IMAGEFLEET_LOCAL_LATENCY_MS,
    limits: { requestsPerMinute: values.IMAGEFLEET_LOCAL_RPM, maxConcurrency: values.IMAGEFLEET_LOCAL_CONCURRENCY, cooldownMs: values.IMAGEFLEET_LOCAL_COOLDOWN_MS },
  }),
  limits: (settings) => settings.limits,
  create: async (settings) => {
    const { createLocalProvider } = await import('./local-provider.js');
    return { provider: createLocalProvider({ simulatedLatencyMs: settings.simulatedLatencyMs }) };
  },
});
