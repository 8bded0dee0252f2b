/**
 * How the `comfyui` provider maps failures: a server that is not there pauses for a while; a
 * workflow ComfyUI refuses (400 with `node_errors`) or a node that fails fails the task with
 * ComfyUI's words; running out of GPU memory, an interrupt on the server and a server that lost
 * its queue are retried. Custom workflow templates are checked when they are read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createComfyuiProvider } from '../../../src/providers/comfyui/comfyui-provider.js';
import { defaultTxt2imgWorkflow } from '../../../src/providers/comfyui/default-workflows.js';
import { loadWorkflowFile } from '../../../src/providers/comfyui/workflow-file.js';
import { parseWorkflowTemplate } from '../../../src/providers/comfyui/workflow-template.js';
import { closedBaseUrl } from '../../fakes/closed-base-url.js';
import { startFakeComfyuiServer, type FakeComfyuiServer } from '../../fakes/comfyui/fake-comfyui-server.js';
import { rejectionOf, thrownBy } from '../../support/thrown-by.js';
import { pngInput } from '../sdwebui/sdwebui-test-kit.js';
import { closeComfyuiProviders, comfyRequest, comfyuiFor } from './comfyui-test-kit.js';

describe('comfyui errors', () => {
  let fake: FakeComfyuiServer | undefined;
  afterEach(async () => {
    closeComfyuiProviders();
    await fake?.close();
    fake = undefined;
  });

  it('pauses for a while when nothing listens at the base URL', async () => {
    const baseUrl = await closedBaseUrl();
    const provider = createComfyuiProvider({ baseUrl, timeoutMs: 5_000 });
    await provider.refreshCatalog();
    const error = await rejectionOf(() => provider.submit!(comfyRequest({ modelId: 'default' })));
    // No checkpoint could be listed, so `default` has nothing to load; a named one reaches the server.
    expect(error.code).toBe('provider_invalid');
    const custom = createComfyuiProvider({ baseUrl, timeoutMs: 5_000, workflow: parseWorkflowTemplate(withoutCheckpointPlaceholder(), 'test workflow') });
    const down = await rejectionOf(() => custom.submit!(comfyRequest()));
    expect(down.code).toBe('provider_paused');
    expect(down.message).toContain(`is the server running at ${baseUrl}?`);
    expect(down.retryAfterMs).toBe(30_000);
  });

  it('fails the task with ComfyUI node errors when it refuses the workflow', async () => {
    fake = await startFakeComfyuiServer();
    const workflow = { ...defaultTxt2imgWorkflow, upscale: { class_type: 'FancyUpscaler', inputs: { image: ['decode', 0] } } };
    const provider = await comfyuiFor(fake, { workflow: parseWorkflowTemplate(workflow, 'test workflow') });
    const error = await rejectionOf(() => provider.submit!(comfyRequest()));
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toContain('HTTP 400: Cannot execute because node FancyUpscaler does not exist.');

    const badCheckpoint = { ...withoutCheckpointPlaceholder(), checkpoint: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'missing.safetensors' } } };
    const second = await comfyuiFor(fake, { workflow: parseWorkflowTemplate(badCheckpoint, 'test workflow') });
    const listError = await rejectionOf(() => second.submit!(comfyRequest()));
    expect(listError.message).toContain("node checkpoint (CheckpointLoaderSimple): Value not in list: ckpt_name: 'missing.safetensors'");
  });

  it('retries running out of GPU memory, fails a node error with its message', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    fake.failNextExecution({ type: 'torch.OutOfMemoryError', message: 'CUDA out of memory. Tried to allocate 4.00 GiB' });
    const memory = await rejectionOf(() => provider.generate(comfyRequest({ seed: 1 })));
    expect(memory.code).toBe('provider_transient');
    expect(memory.message).toContain('node sampler (KSampler)');
    expect(memory.message).toContain('CUDA out of memory');

    fake.failNextExecution({ type: 'RuntimeError', message: 'mat1 and mat2 shapes cannot be multiplied' });
    const broken = await rejectionOf(() => provider.generate(comfyRequest({ seed: 1 })));
    expect(broken.code).toBe('provider_invalid');
    expect(broken.message).toContain('RuntimeError: mat1 and mat2 shapes cannot be multiplied');
  });

  it('reports prompts a restarted server forgot as failed (transient), so they are queued again', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    fake.hold();
    const handle = await provider.submit!(comfyRequest({ seed: 5 }));
    await fake.whenHeld();
    fake.restart();
    const state = await provider.poll!(handle, new AbortController().signal);
    expect(state.state).toBe('failed');
    if (state.state === 'failed') {
      expect(state.error.code).toBe('provider_transient');
      expect(state.error.message).toContain('no longer knows prompt');
    }
  });

  it('retries a prompt interrupted on the server by someone else', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    fake.hold();
    const call = rejectionOf(() => provider.generate(comfyRequest({ seed: 5 })));
    await fake.whenHeld();
    await fetch(`${fake.baseUrl}/interrupt`, { method: 'POST', body: '{}' });
    const error = await call;
    expect(error.code).toBe('provider_transient');
    expect(error.message).toContain('interrupted on the ComfyUI server');
  });

  it('refuses references and masks a custom workflow cannot take, and a mask without a reference', async () => {
    fake = await startFakeComfyuiServer();
    const reference = await pngInput(32, 32, { r: 1, g: 2, b: 3 });
    const custom = await comfyuiFor(fake, { workflow: parseWorkflowTemplate(defaultTxt2imgWorkflow, 'COMFYUI_WORKFLOW_PATH (sd.json)') });
    expect(custom.models()[0]).toMatchObject({ maxReferenceImages: 0, supportsMask: false, supportsLora: true });
    const withReference = await rejectionOf(() => custom.submit!(comfyRequest({ references: [reference] })));
    expect(withReference.message).toContain('COMFYUI_WORKFLOW_PATH (sd.json) has no {{reference_image}}');
    const builtIn = await comfyuiFor(fake);
    const maskAlone = await rejectionOf(() => builtIn.submit!(comfyRequest({ mask: reference })));
    expect(maskAlone.message).toContain('needs a reference image');
  });

  it('checks a workflow file when it is read: API format, known placeholders, a prompt and a seed', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'imagefleet-workflow-'));
    try {
      const file = path.join(directory, 'workflow.json');
      await writeFile(file, JSON.stringify(defaultTxt2imgWorkflow));
      expect((await loadWorkflowFile(file)).placeholders.has('seed')).toBe(true);

      await writeFile(file, JSON.stringify({ nodes: [], links: [] }));
      expect((await rejectionOf(() => loadWorkflowFile(file))).message).toContain('UI format; export it with "Export (API)"');
      expect((await rejectionOf(() => loadWorkflowFile(path.join(directory, 'missing.json')))).message).toContain('no such file');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    const typo = { ...defaultTxt2imgWorkflow, positive: { class_type: 'CLIPTextEncode', inputs: { text: 'photo of {{promt}}', clip: ['checkpoint', 1] } } };
    const typoError = thrownBy(() => parseWorkflowTemplate(typo, 'test workflow')) as Error & { code: string };
    expect(typoError.code).toBe('config_invalid');
    expect(typoError.message).toContain('unknown placeholders: {{promt}} (node positive, input text)');
    const noSeed = { ...defaultTxt2imgWorkflow, sampler: { class_type: 'KSampler', inputs: { ...defaultTxt2imgWorkflow.sampler!.inputs, seed: 42 } } };
    expect((thrownBy(() => parseWorkflowTemplate(noSeed, 'test workflow')) as Error).message).toContain('lacks {{seed}}');
  });
});

/** The built-in txt2img workflow with a fixed checkpoint instead of `{{checkpoint}}`. */
function withoutCheckpointPlaceholder(): typeof defaultTxt2imgWorkflow {
  return { ...defaultTxt2imgWorkflow, checkpoint: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } } };
}
