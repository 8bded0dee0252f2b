/**
 * Every provider imagefleet ships, as modules (src/providers/provider-module.ts), in registration
 * order: the order of the provider list and pickers, and of their variables in
 * docs/configuration.md. A new provider is a folder with a `module.ts` and a line here (and its
 * fragment in src/config/config.ts, which a test checks).
 */
import type { ErrorIssue } from '../core/errors.js';
import type { Lane } from '../core/job.js';
import { comfyuiModule, type ComfyuiSettings } from './comfyui/module.js';
import { geminiModule, type GeminiSettings } from './gemini/module.js';
import { localModule, type LocalSettings } from './local/module.js';
import type { CreatedProvider, ProviderCreationContext, ProviderLaneLimits, ProviderModule, SettingsContext, VariableSettings } from './provider-module.js';
import { runpodModule, type RunpodSettings } from './runpod/module.js';
import { sdwebuiModule, type SdwebuiSettings } from './sdwebui/module.js';
import type { FragmentValues, VariableFragment } from '../core/environment-variables.js';

/** The modules, in registration order. */
export const providerModules = [localModule, geminiModule, runpodModule, sdwebuiModule, comfyuiModule] as const;

/** Every provider's settings, by provider id (`Config.providers`). */
export interface ProviderSettingsById {
  local: LocalSettings;
  gemini: GeminiSettings;
  runpod: RunpodSettings;
  sdwebui: SdwebuiSettings;
  comfyui: ComfyuiSettings;
}

/** The parsed values of every provider's variables. */
export type ProviderEnvironmentValues = FragmentValues<typeof localModule.environment> &
  FragmentValues<typeof geminiModule.environment> &
  FragmentValues<typeof runpodModule.environment> &
  FragmentValues<typeof sdwebuiModule.environment> &
  FragmentValues<typeof comfyuiModule.environment>;

/** Every provider's settings from the parsed values of their variables. */
export function providerSettingsFrom(values: ProviderEnvironmentValues, context: SettingsContext): ProviderSettingsById {
  return {
    local: localModule.settingsFrom(values, context),
    gemini: geminiModule.settingsFrom(values, context),
    runpod: runpodModule.settingsFrom(values, context),
    sdwebui: sdwebuiModule.settingsFrom(values, context),
    comfyui: comfyuiModule.settingsFrom(values, context),
  };
}

/** Every module's cross-variable issues, on the values that parsed. */
export function providerCrossFieldIssues(values: Partial<ProviderEnvironmentValues>, variables: VariableSettings): ErrorIssue[] {
  const modules: ReadonlyArray<Pick<ProviderModule<VariableFragment, unknown, unknown>, 'crossFieldIssues'>> = providerModules;
  return modules.flatMap((module) => module.crossFieldIssues?.(values, variables) ?? []);
}

/** A module bound to its settings. */
export interface ConfiguredProviderModule {
  id: string;
  /** Limits of a lane (`online` when none is given). */
  limits(lane: Lane | undefined): ProviderLaneLimits;
  /** Reads what must be checked before anything opens; resolves to the creation step. */
  prepare(): Promise<(context: ProviderCreationContext) => Promise<CreatedProvider | undefined>>;
}

/** The modules bound to their settings, in registration order. */
export function configureProviderModules(settings: ProviderSettingsById): ConfiguredProviderModule[] {
  return [bind(localModule, settings.local), bind(geminiModule, settings.gemini), bind(runpodModule, settings.runpod), bind(sdwebuiModule, settings.sdwebui), bind(comfyuiModule, settings.comfyui)];
}

function bind<Fragment extends VariableFragment, Settings, Prepared>(module: ProviderModule<Fragment, Settings, Prepared>, settings: Settings): ConfiguredProviderModule {
  return {
    id: module.id,
    limits: (lane) => module.limits(settings, lane),
    prepare: async () => {
      const prepared = module.prepare === undefined ? (undefined as Prepared) : await module.prepare(settings);
      return (context) => module.create(settings, context, prepared);
    },
  };
}
