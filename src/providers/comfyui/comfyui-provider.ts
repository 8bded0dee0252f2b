/**
 * The `comfyui` provider: a self-hosted ComfyUI server, driven by an API-format workflow template
 * (built-in txt2img/img2img/inpaint, or `COMFYUI_WORKFLOW_PATH`). Every image is its own prompt
 * with its own seed (seed, seed+1, …), so each can be made again alone from its seed
 * (decisions/0013). It is asynchronous: `submit` uploads the references and queues the prompts,
 * and returns a handle naming them, which the engine saves before waiting; `poll` reads their
 * results (waiting on the websocket while this process follows them), so a restarted worker picks
 * the same prompts up instead of queueing them again. `cancel` deletes pending prompts and
 * interrupts a running one.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImagefleetError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { maxSeed, seedSequence } from '../../core/seeds.js';
import { providerError, type GenerateRequest, type GenerateResult, type GeneratedImageOutput, type ImageProvider, type ModelCapabilities, type RemotePollResult } from '../contract.js';
import type { LoraCatalog } from '../lora-catalog.js';
import { decodeOutputImage } from '../stable-diffusion/decode-output.js';
import { checkLoras } from '../stable-diffusion/lora-check.js';
import { ServerCatalog, type CheckpointEntry } from '../stable-diffusion/server-catalog.js';
import { displayBaseUrl, requestServer, requestServerBytes, requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';
import { stableDiffusionDimensions } from '../stable-diffusion/stable-diffusion-size.js';
import { readComfyuiCatalog } from './comfyui-catalog.js';
import { readComfyuiErrorReply } from './comfyui-error-reply.js';
import { ComfyuiEventStream } from './comfyui-events.js';
import { decodeComfyuiHandle, encodeComfyuiHandle } from './comfyui-handle.js';
import { readPromptHistory, readQueue, type OutputFile } from './comfyui-history.js';
import { comfyuiDefaultModelId, comfyuiMaxImagesPerCall, comfyuiModelCapabilities, type WorkflowFeatures } from './comfyui-models.js';
import { readComfyuiOptions } from './comfyui-provider-options.js';
import { uploadInputImage } from './comfyui-uploads.js';
import { defaultImg2imgWorkflow, defaultInpaintWorkflow, defaultTxt2imgWorkflow } from './default-workflows.js';
import { chainLoras, fillWorkflow, parseWorkflowTemplate, type PlaceholderValues, type WorkflowTemplate } from './workflow-template.js';

export interface ComfyuiProviderSettings {
  /** Base URL of ComfyUI (`COMFYUI_BASE_URL`), e.g. `http://127.0.0.1:8188`. */
  baseUrl: string;
  /** Longest wait for one HTTP request, ms (`COMFYUI_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The user's template (`COMFYUI_WORKFLOW_PATH`, read by `loadWorkflowFile`); undefined = the built-in ones. */
  workflow?: WorkflowTemplate | undefined;
  /** Longest a `poll` waits on the websocket for the prompts to end before answering `pending`, ms; default 20000. */
  pollWaitMs?: number | undefined;
  logger?: Logger | undefined;
}

export type ComfyuiProvider = ImageProvider & LoraCatalog & { /** Closes the websocket (tests, shutdown). */ close(): void };

const defaultPollWaitMs = 20_000;
/** Pause between two polls inside `generate` (the poll itself waits on the websocket). */
const generatePollPauseMs = 250;

const builtInTemplates = {
  txt2img: parseWorkflowTemplate(defaultTxt2imgWorkflow, 'the built-in txt2img workflow'),
  img2img: parseWorkflowTemplate(defaultImg2imgWorkflow, 'the built-in img2img workflow'),
  inpaint: parseWorkflowTemplate(defaultInpaintWorkflow, 'the built-in inpaint workflow'),
};

export function createComfyuiProvider(settings: ComfyuiProviderSettings): ComfyuiProvider {
  const logger = settings.logger ?? silentLogger;
  const where = displayBaseUrl(settings.baseUrl);
  const connection: ServerConnection = {
    baseUrl: settings.baseUrl,
    serverName: 'ComfyUI',
    baseUrlVariable: 'COMFYUI_BASE_URL',
    timeoutVariable: 'COMFYUI_TIMEOUT_MS',
    readErrorReply: (status, bodyText, action) => readComfyuiErrorReply(status, bodyText, action, where),
  };
  const catalog = new ServerCatalog(() => readComfyuiCatalog(connection), logger, `ComfyUI server at ${where}`);
  const events = new ComfyuiEventStream(settings.baseUrl, logger);
  const features = featuresOf(settings.workflow);
  const pollWaitMs = settings.pollWaitMs ?? defaultPollWaitMs;
  let capabilities: readonly ModelCapabilities[] = comfyuiModelCapabilities([], features);
  /** Warnings of tasks submitted by this process, by handle, returned with their results. */
  const submitWarnings = new Map<string, string[]>();

  const refreshCatalog = async (): Promise<void> => {
    await catalog.refresh();
    capabilities = comfyuiModelCapabilities(catalog.checkpoints, features);
  };

  const templateFor = (request: GenerateRequest): WorkflowTemplate => {
    const hasReference = request.references.length > 0;
    const custom = settings.workflow;
    if (custom === undefined) {
      if (request.mask && !hasReference) throw providerError('invalid', 'An inpainting mask needs a reference image to paint into: add the image the mask belongs to.');
      return request.mask ? builtInTemplates.inpaint : hasReference ? builtInTemplates.img2img : builtInTemplates.txt2img;
    }
    const uses = (name: 'reference_image' | 'mask_image') => custom.placeholders.has(name);
    if (hasReference && !uses('reference_image')) throw providerError('invalid', `${custom.source} has no {{reference_image}}, so it cannot use reference images: leave them out or use a workflow with a LoadImage node whose image is {{reference_image}}.`);
    if (!hasReference && uses('reference_image')) throw providerError('invalid', `${custom.source} needs a reference image ({{reference_image}}): add one to the job.`);
    if (request.mask && !uses('mask_image')) throw providerError('invalid', `${custom.source} has no {{mask_image}}, so it cannot inpaint: leave the mask out or use a workflow with a LoadImageMask node whose image is {{mask_image}}.`);
    if (!request.mask && uses('mask_image')) throw providerError('invalid', `${custom.source} needs a mask ({{mask_image}}): add one to the job.`);
    return custom;
  };

  const submit = async (request: GenerateRequest): Promise<string> => {
    if (request.signal.aborted) throw new ImagefleetError('canceled', 'Canceled before anything was queued on ComfyUI.');
    const options = readComfyuiOptions(request.providerOptions);
    const template = templateFor(request);
    const warnings: string[] = [];
    const loras = request.loras ?? [];
    if (loras.some((lora) => !catalog.loraNames.includes(lora.name))) await refreshCatalog();
    else await catalog.refreshIfStale();
    capabilities = comfyuiModelCapabilities(catalog.checkpoints, features);
    if (loras.length > 0 && template.checkpointNodeId === undefined) {
      throw providerError('invalid', `${template.source} has no node whose ckpt_name is {{checkpoint}}, so LoRAs cannot be chained into it: leave the LoRAs out or add the placeholder.`);
    }
    checkLoras(loras, catalog.loraNames, `ComfyUI at ${where}`);
    if (request.n < 1 || request.n > comfyuiMaxImagesPerCall) throw providerError('invalid', `n must be from 1 to ${comfyuiMaxImagesPerCall} (got ${request.n}).`);
    if (request.references.length > 1) warnings.push(`references: the workflow uses one reference image; only the first of ${request.references.length} was sent`);
    if (request.negativePrompt && !template.placeholders.has('negative_prompt')) warnings.push(`negativePrompt: ${template.source} has no {{negative_prompt}} — ignored`);
    if (request.strength !== undefined && (!template.placeholders.has('denoise') || request.references.length === 0)) warnings.push('strength: applies to img2img only — ignored');

    const dimensions = stableDiffusionDimensions(request.size, request.aspectRatio);
    const denoise = options.denoise ?? (request.references.length === 0 ? 1 : (request.strength ?? (request.mask ? 1 : 0.75)));
    const values: PlaceholderValues = {
      prompt: request.prompt,
      negative_prompt: request.negativePrompt ?? '',
      width: dimensions.width,
      height: dimensions.height,
      steps: options.steps,
      cfg: options.cfgScale,
      sampler: options.sampler,
      scheduler: options.scheduler,
      denoise,
    };
    if (template.placeholders.has('checkpoint')) values.checkpoint = checkpointFor(request.modelId, catalog.checkpoints);
    else if (request.modelId !== comfyuiDefaultModelId) warnings.push(`model: ${template.source} loads its own checkpoint (no {{checkpoint}}), so "${request.modelId}" was not applied`);
    const reference = request.references[0];
    if (reference && template.placeholders.has('reference_image')) values.reference_image = await uploadInputImage(connection, reference, 'reference', request.signal, settings.timeoutMs);
    if (request.mask && template.placeholders.has('mask_image')) values.mask_image = await uploadInputImage(connection, request.mask, 'mask', request.signal, settings.timeoutMs);

    const firstSeed = request.seed ?? randomInt(0, maxSeed + 1);
    const seeds = seedSequence(firstSeed, request.n);
    // Opened before queueing, so the events of a fast prompt are not missed.
    await events.beginSubmit();
    const promptIds: string[] = [];
    const reportProgress = () => {
      const fraction = events.fractionOf(promptIds);
      if (fraction !== undefined) request.onProgress?.(fraction);
    };
    try {
      for (const seed of seeds) {
        let workflow = fillWorkflow(template, { ...values, seed });
        if (template.checkpointNodeId !== undefined) workflow = chainLoras(workflow, template.checkpointNodeId, loras);
        const reply = await requestServerJson(connection, {
          method: 'POST',
          path: '/prompt',
          json: { prompt: workflow, client_id: events.clientId },
          signal: request.signal,
          timeoutMs: settings.timeoutMs,
          action: `queueing a prompt (seed ${seed})`,
        });
        const promptId = typeof reply === 'object' && reply !== null ? (reply as { prompt_id?: unknown }).prompt_id : undefined;
        if (typeof promptId !== 'string' || promptId === '') throw providerError('transient', 'ComfyUI queued the prompt without answering its prompt_id.');
        promptIds.push(promptId);
        events.watch(promptId, reportProgress);
      }
    } catch (error) {
      // Half a set queued is of no use: take back what was queued, so nothing runs for nobody.
      if (promptIds.length > 0) await cancelPrompts(promptIds).catch(() => undefined);
      events.unwatch(promptIds);
      throw error;
    } finally {
      events.endSubmit();
    }
    const fillsSampling = template.placeholders.has('steps') && template.placeholders.has('cfg') && template.placeholders.has('sampler');
    const sampling = fillsSampling
      ? {
          steps: options.steps,
          sampler: options.sampler,
          cfgScale: options.cfgScale,
          scheduler: template.placeholders.has('scheduler') ? options.scheduler : undefined,
          denoisingStrength: template.placeholders.has('denoise') && reference !== undefined ? denoise : undefined,
        }
      : undefined;
    const handle = encodeComfyuiHandle({ promptIds, seeds, sampling });
    if (warnings.length > 0) submitWarnings.set(handle, warnings);
    return handle;
  };

  const poll = async (handle: string, signal: AbortSignal): Promise<RemotePollResult> => {
    const { promptIds, seeds, sampling } = decodeComfyuiHandle(handle);
    if (events.follows(promptIds)) await events.waitForEnd(promptIds, pollWaitMs, signal);
    if (signal.aborted) throw new ImagefleetError('canceled', 'Canceled while waiting for ComfyUI.');
    const files: OutputFile[] = [];
    const warnings = [...(submitWarnings.get(handle) ?? [])];
    let queue: Awaited<ReturnType<typeof readQueue>> | undefined;
    const forget = () => {
      events.unwatch(promptIds);
      submitWarnings.delete(handle);
    };
    for (const [index, promptId] of promptIds.entries()) {
      let outcome = await readPromptHistory(connection, promptId, signal, settings.timeoutMs);
      if (outcome.state === 'not-in-history') {
        queue ??= await readQueue(connection, signal, settings.timeoutMs);
        if (queue.running.includes(promptId) || queue.pending.includes(promptId)) return { state: 'pending', progress: events.fractionOf(promptIds) };
        // It may have ended between the two reads.
        outcome = await readPromptHistory(connection, promptId, signal, settings.timeoutMs);
        if (outcome.state === 'not-in-history') {
          forget();
          return {
            state: 'failed',
            error: providerError('transient', `ComfyUI at ${where} no longer knows prompt ${promptId} (was it restarted, or its history cleared?); the images are queued again.`),
          };
        }
      }
      if (outcome.state === 'failed') {
        forget();
        return { state: 'failed', error: outcome.error };
      }
      const file = outcome.files[0];
      if (file === undefined) {
        forget();
        return { state: 'failed', error: providerError('transient', `ComfyUI finished prompt ${promptId} without saving an image: does the workflow end in a SaveImage node?`) };
      }
      if (outcome.files.length > 1) warnings.push(`image ${index + 1}: the workflow saved ${outcome.files.length} images; the first was kept`);
      files.push(file);
    }
    const images: GeneratedImageOutput[] = [];
    for (const [index, file] of files.entries()) {
      const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
      const bytes = await requestServerBytes(connection, { method: 'GET', path: `/view?${query.toString()}`, signal, timeoutMs: settings.timeoutMs, action: `downloading ${file.filename}` });
      images.push(await decodeOutputImage(bytes, seeds[index], `ComfyUI's image ${file.filename}`));
    }
    forget();
    return { state: 'done', result: { images, warnings, requestId: promptIds.join(','), sampling } };
  };

  /** Deletes the pending prompts first (so none starts when the running one is interrupted), then interrupts the running one. */
  const cancelPrompts = async (promptIds: readonly string[]): Promise<void> => {
    const queue = await readQueue(connection, undefined, settings.timeoutMs);
    const pending = promptIds.filter((promptId) => queue.pending.includes(promptId));
    if (pending.length > 0) await requestServer(connection, { method: 'POST', path: '/queue', json: { delete: pending }, timeoutMs: settings.timeoutMs, action: 'deleting queued prompts' });
    for (const promptId of promptIds.filter((candidate) => queue.running.includes(candidate))) {
      // prompt_id makes newer servers interrupt only this prompt; older ones interrupt whatever runs, which is this one.
      await requestServer(connection, { method: 'POST', path: '/interrupt', json: { prompt_id: promptId }, timeoutMs: settings.timeoutMs, action: 'interrupting a prompt' });
    }
  };

  const cancel = async (handle: string): Promise<void> => {
    const { promptIds } = decodeComfyuiHandle(handle);
    try {
      await cancelPrompts(promptIds);
    } finally {
      events.unwatch(promptIds);
      submitWarnings.delete(handle);
    }
  };

  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    const handle = await submit(request);
    try {
      for (;;) {
        const state = await poll(handle, request.signal);
        if (state.state === 'done') return state.result;
        if (state.state === 'failed') throw state.error;
        await sleep(generatePollPauseMs, undefined, { signal: request.signal });
      }
    } catch (error) {
      if (!request.signal.aborted) throw error;
      await cancel(handle).catch(() => undefined);
      throw new ImagefleetError('canceled', 'Canceled while ComfyUI was generating; its prompts were deleted or interrupted.', { cause: error });
    }
  };

  return {
    id: 'comfyui',
    displayName: 'ComfyUI',
    models: () => {
      catalog.retryInBackgroundIfNeverLoaded(() => (capabilities = comfyuiModelCapabilities(catalog.checkpoints, features)));
      return capabilities;
    },
    credentialFingerprint: () => undefined,
    generate,
    submit,
    poll,
    cancel,
    async checkJobSettings({ providerOptions, loras = [] }) {
      readComfyuiOptions(providerOptions);
      if (loras.some((lora) => !catalog.loraNames.includes(lora.name))) await refreshCatalog();
      // An unreachable server lists nothing: the names are checked again when the tasks run.
      if (catalog.loaded) checkLoras(loras, catalog.loraNames, `ComfyUI at ${where}`);
    },
    loraNames: () => catalog.loraNames,
    refreshCatalog,
    close: () => events.close(),
  };
}

function featuresOf(custom: WorkflowTemplate | undefined): WorkflowFeatures {
  if (custom === undefined) return { references: true, mask: true, negativePrompt: true, lora: true, checkpoint: true };
  return {
    references: custom.placeholders.has('reference_image'),
    mask: custom.placeholders.has('mask_image'),
    negativePrompt: custom.placeholders.has('negative_prompt'),
    lora: custom.checkpointNodeId !== undefined,
    checkpoint: custom.placeholders.has('checkpoint'),
  };
}

/** The checkpoint file for a model id: `default` = the first ComfyUI lists. */
function checkpointFor(modelId: string, checkpoints: readonly CheckpointEntry[]): string {
  if (modelId === comfyuiDefaultModelId) {
    const first = checkpoints[0];
    if (first === undefined) throw providerError('invalid', 'ComfyUI lists no checkpoints: put a model in its models/checkpoints folder (or check that the model list could be read).');
    return first.wireName;
  }
  const entry = checkpoints.find((candidate) => candidate.modelId === modelId || candidate.aliases.includes(modelId));
  if (entry) return entry.wireName;
  const known = [comfyuiDefaultModelId, ...checkpoints.map((candidate) => candidate.modelId)].join(', ');
  throw providerError('invalid', `ComfyUI has no checkpoint "${modelId}" (any more). Known models: ${known}.`);
}
