/**
 * The provider modules on their own (no server, no database): each one's variables are part of the
 * configuration, its settings and limits come from its values, and a module without its key or
 * URL creates nothing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentVariableNames } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { comfyuiModule } from '../../src/providers/comfyui/module.js';
import { geminiModule } from '../../src/providers/gemini/module.js';
import { localModule } from '../../src/providers/local/module.js';
import type { ProviderCreationContext } from '../../src/providers/provider-module.js';
import { configureProviderModules, providerCrossFieldIssues, providerModules } from '../../src/providers/provider-modules.js';
import { runpodModule } from '../../src/providers/runpod/module.js';
import { sdwebuiModule } from '../../src/providers/sdwebui/module.js';
import { geminiInputTokenEstimate } from '../../src/providers/gemini/input-token-estimate.js';

const context: ProviderCreationContext = {
  logger: silentLogger,
  dataDirectory: '/tmp/imagefleet-modules-test',
  referenceLink: () => undefined,
  settingsById: {},
  workerResultBucket: undefined,
};

describe('provider modules', () => {
  it('list local, gemini, runpod, sdwebui and comfyui in registration order', () => {
    expect(providerModules.map((module) => module.id)).toEqual(['local', 'gemini', 'runpod', 'sdwebui', 'comfyui']);
  });

  it('each have their whole fragment in the configuration, in fragment order', () => {
    for (const module of providerModules) {
      const names = Object.keys(module.environment);
      const positions = names.map((name) => (environmentVariableNames as string[]).indexOf(name));
      expect(positions.every((position) => position >= 0), module.id).toBe(true);
      expect(positions, module.id).toEqual([...positions].sort((left, right) => left - right));
    }
  });

  it('read their settings from their own variables, with defaults', () => {
    const config = loadConfig({ GEMINI_RPM: '30', IMAGEFLEET_LOCAL_CONCURRENCY: '7', COMFYUI_WORKFLOW_PATH: 'flows/a.json' }, { cwd: '/work' });
    expect(config.providers.local).toEqual({ simulatedLatencyMs: 0, limits: { requestsPerMinute: 0, maxConcurrency: 7, cooldownMs: 0 } });
    expect(config.providers.gemini.limits).toEqual({ requestsPerMinute: 30, maxConcurrency: 16, cooldownMs: 0, inputTokenEstimate: geminiInputTokenEstimate });
    expect(config.providers.comfyui.workflowPath).toBe(path.resolve('/work', 'flows/a.json'));
    expect(config.providers.sdwebui.limits).toEqual({ requestsPerMinute: 0, maxConcurrency: 1, cooldownMs: 0 });
  });

  it('give each lane its limits (Gemini batch apart from online)', () => {
    const config = loadConfig({ GEMINI_BATCH_CONCURRENCY: '50', RUNPOD_CONCURRENCY: '3' });
    const limitsOf = (id: string, lane?: 'online' | 'batch') => configureProviderModules(config.providers).find((module) => module.id === id)?.limits(lane);
    expect(limitsOf('gemini')).toEqual({ requestsPerMinute: 0, maxConcurrency: 16, cooldownMs: 0, learnedRate: true, inputTokenEstimate: geminiInputTokenEstimate });
    expect(limitsOf('gemini', 'online')).toEqual({ requestsPerMinute: 0, maxConcurrency: 16, cooldownMs: 0, learnedRate: true, inputTokenEstimate: geminiInputTokenEstimate });
    expect(limitsOf('gemini', 'batch')).toEqual({ requestsPerMinute: 0, maxConcurrency: 50, cooldownMs: 0 });
    expect(limitsOf('runpod', 'batch')).toEqual({ requestsPerMinute: 600, maxConcurrency: 3, cooldownMs: 0 });
    expect(geminiModule.limits(config.providers.gemini, 'batch')).toBe(config.providers.gemini.batch.limits);
  });

  it('create nothing without their key or URL; local always', async () => {
    const config = loadConfig({});
    expect(await geminiModule.create(config.providers.gemini, context, undefined)).toBeUndefined();
    expect(await runpodModule.create(config.providers.runpod, context, undefined)).toBeUndefined();
    expect(await runpodModule.create({ ...config.providers.runpod, apiKey: 'key' }, context, undefined)).toBeUndefined();
    expect(await sdwebuiModule.create(config.providers.sdwebui, context, undefined)).toBeUndefined();
    expect(await comfyuiModule.create(config.providers.comfyui, context, undefined)).toBeUndefined();
    expect((await localModule.create(config.providers.local, context, undefined))?.provider.id).toBe('local');
  });

  it('create Gemini and RunPod from their settings, RunPod with Gemini’s model overrides', async () => {
    const config = loadConfig({ GEMINI_API_KEY: 'key', RUNPOD_API_KEY: 'key', RUNPOD_ENDPOINT_ID: 'endpoint' });
    expect((await geminiModule.create(config.providers.gemini, context, undefined))?.provider.id).toBe('gemini');
    const runpod = await runpodModule.create(config.providers.runpod, { ...context, settingsById: config.providers as unknown as Record<string, unknown> }, undefined);
    expect(runpod?.provider.id).toBe('runpod');
  });

  it('check the web UI login as a pair, naming the variable that is missing', () => {
    const variables = (set: string[]) => ({ isSet: (name: string) => set.includes(name), labelOf: (name: string) => name });
    expect(providerCrossFieldIssues({}, variables([]))).toEqual([]);
    expect(providerCrossFieldIssues({}, variables(['SDWEBUI_USERNAME', 'SDWEBUI_PASSWORD']))).toEqual([]);
    expect(providerCrossFieldIssues({}, variables(['SDWEBUI_USERNAME'])).map((issue) => issue.path)).toEqual(['SDWEBUI_PASSWORD']);
    expect(providerCrossFieldIssues({}, variables(['SDWEBUI_PASSWORD'])).map((issue) => issue.path)).toEqual(['SDWEBUI_USERNAME']);
  });

  it('read a ComfyUI workflow file before anything opens, and refuse a bad one', async () => {
    const settings = loadConfig({ COMFYUI_WORKFLOW_PATH: '/nonexistent/workflow.json' }).providers.comfyui;
    await expect(comfyuiModule.prepare?.(settings)).rejects.toBeDefined();
    expect(await comfyuiModule.prepare?.(loadConfig({}).providers.comfyui)).toBeUndefined();
  });
});
