/** The `comfyui` provider's module: registered when `COMFYUI_BASE_URL` is set (src/providers/provider-module.ts). */
import path from 'node:path';
import { httpUrlVariable, integerVariable, optionalTextVariable } from '../../core/environment-variables.js';
import { defineProviderModule, type ProviderLaneLimits } from '../provider-module.js';
import type { WorkflowTemplate } from './workflow-template.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

export interface ComfyuiSettings {
  /** Base URL of a ComfyUI server (started with `--listen` when it runs on another machine); unset = provider not configured. `COMFYUI_BASE_URL`. */
  baseUrl: string | undefined;
  /** Absolute path of an API-format workflow template with imagefleet placeholders; unset = the built-in templates. `COMFYUI_WORKFLOW_PATH`. */
  workflowPath: string | undefined;
  /** `COMFYUI_RPM` (default 0 = unlimited), `COMFYUI_CONCURRENCY` (default 2: prompts queued on the server at once), `COMFYUI_COOLDOWN_MS` (default 0). */
  limits: ProviderLaneLimits;
  /** Longest wait for one HTTP request to ComfyUI (submit, history, upload, download), in ms. `COMFYUI_TIMEOUT_MS`, default 60000. */
  timeoutMs: number;
}

export const comfyuiModule = defineProviderModule({
  id: 'comfyui',
  environment: {
    COMFYUI_BASE_URL: httpUrlVariable(),
    COMFYUI_WORKFLOW_PATH: optionalTextVariable({ requirement: 'a path to an API-format workflow JSON file' }),
    COMFYUI_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 0 }),
    COMFYUI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 2 }),
    COMFYUI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
    COMFYUI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: hourMs, defaultValue: minuteMs }),
  },
  settingsFrom: (values, context): ComfyuiSettings => ({
    baseUrl: values.COMFYUI_BASE_URL,
    workflowPath: values.COMFYUI_WORKFLOW_PATH === undefined ? undefined : path.resolve(context.cwd, values.COMFYUI_WORKFLOW_PATH),
    limits: { requestsPerMinute: values.COMFYUI_RPM, maxConcurrency: values.COMFYUI_CONCURRENCY, cooldownMs: values.COMFYUI_COOLDOWN_MS },
    timeoutMs: values.COMFYUI_TIMEOUT_MS,
  }),
  limits: (settings) => settings.limits,
  // Read before the store opens, so a bad file stops the start with nothing left open.
  prepare: async (settings): Promise<WorkflowTemplate | undefined> => {
    if (settings.workflowPath === undefined) return undefined;
    const { loadWorkflowFile } = await import('./workflow-file.js');
    return loadWorkflowFile(settings.workflowPath);
  },
  create: async (settings, context, workflow) => {
    if (settings.baseUrl === undefined) return undefined;
    const { createComfyuiProvider } = await import('./comfyui-provider.js');
    const provider = createComfyuiProvider({ baseUrl: settings.baseUrl, timeoutMs: settings.timeoutMs, workflow, logger: context.logger });
    await provider.refreshCatalog();
    return { provider, close: () => provider.close() };
  },
});
