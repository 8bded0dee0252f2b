/**
 * A fake ComfyUI server on loopback speaking the real API: `POST /prompt` (with 400 +
 * `node_errors` for unknown checkpoints, LoRAs, images or node types), `GET /history/{id}`,
 * `GET /queue`, `POST /queue` (delete), `POST /interrupt`, `POST /upload/image`, `GET /view`,
 * `GET /models/checkpoints|loras`, and the websocket `/ws?clientId=` with `status`,
 * `execution_start`, `executing`, `progress`, `executed`, `execution_success`, `execution_error`
 * and `execution_interrupted`, sent to the client that queued the prompt as ComfyUI does.
 *
 * Prompts run one at a time in queue order. Each makes one deterministic PNG whose content depends
 * on the whole filled workflow (seed, prompt, LoRA chain, uploaded file names, sizes …), so the same
 * workflow gives the same bytes. `hold()` stops prompts at half progress until `release()`;
 * `restart()` forgets the queue and history, like a restarted server.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { digestOf, seededPng } from '../seeded-png.js';
import { readBody, sendJson } from '../fake-http.js';

export const fakeComfyCheckpoints = ['v1-5-pruned-emaonly.safetensors', 'sdxl/sd_xl_base_1.0.safetensors'];
export const fakeComfyLoras = ['add_detail.safetensors', 'watercolor.safetensors'];

/** Node types the fake accepts; anything else is refused like a missing custom node. */
const knownNodeTypes = new Set([
  'CheckpointLoaderSimple',
  'CLIPTextEncode',
  'EmptyLatentImage',
  'KSampler',
  'VAEDecode',
  'VAEEncode',
  'SaveImage',
  'PreviewImage',
  'LoadImage',
  'LoadImageMask',
  'ImageScale',
  'MaskToImage',
  'ImageToMask',
  'SetLatentNoiseMask',
  'LoraLoader',
]);

const progressSteps = 4;

export interface FakeComfyPrompt {
  promptId: string;
  clientId: string | undefined;
  workflow: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  /** The KSampler's seed. */
  seed: unknown;
}

interface HistoryEntry {
  outputs: Record<string, { images: Array<{ filename: string; subfolder: string; type: string }> }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, Record<string, unknown>]> };
}

export interface FakeComfyuiServer {
  readonly baseUrl: string;
  /** Every `POST /prompt` accepted, in order. */
  readonly prompts: FakeComfyPrompt[];
  readonly requests: Array<{ method: string; path: string }>;
  /** Uploaded files by name. */
  readonly uploads: Map<string, Buffer>;
  readonly deleted: string[];
  readonly interrupted: string[];
  /** Websocket messages sent, by client id. */
  readonly sentMessages: Array<{ clientId: string; type: string; promptId: string | undefined }>;
  /** The next prompt to run fails in its KSampler with this exception. */
  failNextExecution(exception: { type: string; message: string }): void;
  hold(): void;
  release(): void;
  /** Resolves when a prompt is held at half progress. */
  whenHeld(): Promise<void>;
  /** Forgets queue and history (a restarted server); held prompts are dropped. */
  restart(): void;
  close(): Promise<void>;
}

export async function startFakeComfyuiServer(): Promise<FakeComfyuiServer> {
  const prompts: FakeComfyPrompt[] = [];
  const requests: Array<{ method: string; path: string }> = [];
  const uploads = new Map<string, Buffer>();
  const outputs = new Map<string, Buffer>();
  let history = new Map<string, HistoryEntry>();
  let queue: FakeComfyPrompt[] = [];
  let running: FakeComfyPrompt | undefined;
  const deleted: string[] = [];
  const interrupted: string[] = [];
  const sentMessages: FakeComfyuiServer['sentMessages'] = [];
  const sockets = new Map<string, WebSocket>();
  const failures: Array<{ type: string; message: string }> = [];
  let held: { promise: Promise<void>; resolve: () => void } | undefined;
  let heldWaiters: Array<() => void> = [];
  let isHeldNow = false;
  let interruptRequested: string | undefined;
  let generation = 0;
  let counter = 0;

  const send = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
    if (clientId === undefined) return;
    sentMessages.push({ clientId, type, promptId: typeof data.prompt_id === 'string' ? data.prompt_id : undefined });
    const socket = sockets.get(clientId);
    if (socket && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type, data }));
  };

  const validate = (workflow: FakeComfyPrompt['workflow']): Record<string, unknown> | undefined => {
    const nodeErrors: Record<string, unknown> = {};
    for (const [nodeId, node] of Object.entries(workflow)) {
      const errors: Array<{ type: string; message: string; details: string }> = [];
      if (!knownNodeTypes.has(node.class_type)) {
        return { error: { type: 'invalid_prompt', message: `Cannot execute because node ${node.class_type} does not exist.`, details: `Node ID '#${nodeId}'`, extra_info: {} }, node_errors: {} };
      }
      const check = (input: string, allowed: string[]) => {
        const value = node.inputs[input];
        if (typeof value === 'string' && !allowed.includes(value)) errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `${input}: '${value}' not in ${JSON.stringify(allowed)}` });
      };
      if (node.class_type === 'CheckpointLoaderSimple') check('ckpt_name', fakeComfyCheckpoints);
      if (node.class_type === 'LoraLoader') check('lora_name', fakeComfyLoras);
      if (node.class_type === 'LoadImage' || node.class_type === 'LoadImageMask') check('image', [...uploads.keys()]);
      if (node.class_type === 'KSampler' && !Number.isInteger(node.inputs.seed)) errors.push({ type: 'invalid_input_type', message: 'Failed to convert an input value to a INT value', details: `seed, ${String(node.inputs.seed)}` });
      if (errors.length > 0) nodeErrors[nodeId] = { errors, dependent_outputs: [], class_type: node.class_type };
    }
    if (Object.keys(nodeErrors).length === 0) return undefined;
    return { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors };
  };

  const execute = async (prompt: FakeComfyPrompt, runGeneration: number): Promise<void> => {
    const { promptId, clientId, workflow } = prompt;
    const messages: HistoryEntry['status']['messages'] = [['execution_start', { prompt_id: promptId, timestamp: Date.now() }]];
    send(clientId, 'execution_start', { prompt_id: promptId, timestamp: Date.now() });
    const samplerId = Object.keys(workflow).find((nodeId) => workflow[nodeId]?.class_type === 'KSampler') ?? '0';
    send(clientId, 'executing', { node: samplerId, display_node: samplerId, prompt_id: promptId });
    for (let step = 1; step <= progressSteps; step += 1) {
      send(clientId, 'progress', { value: step, max: progressSteps, prompt_id: promptId, node: samplerId });
      if (step === progressSteps / 2 && held) {
        isHeldNow = true;
        for (const waiter of heldWaiters) waiter();
        heldWaiters = [];
        await held.promise;
        isHeldNow = false;
      }
      if (runGeneration !== generation) return;
      if (interruptRequested === promptId) {
        interruptRequested = undefined;
        const data = { prompt_id: promptId, node_id: samplerId, node_type: 'KSampler', executed: [], timestamp: Date.now() };
        messages.push(['execution_interrupted', data]);
        send(clientId, 'execution_interrupted', data);
        history.set(promptId, { outputs: {}, status: { status_str: 'error', completed: false, messages } });
        return;
      }
    }
    const failure = failures.shift();
    if (failure) {
      const data = { prompt_id: promptId, node_id: samplerId, node_type: 'KSampler', executed: [], exception_message: failure.message, exception_type: failure.type, traceback: [], current_inputs: {}, current_outputs: {} };
      messages.push(['execution_error', data]);
      send(clientId, 'execution_error', data);
      history.set(promptId, { outputs: {}, status: { status_str: 'error', completed: false, messages } });
      return;
    }
    const sizeNode = Object.values(workflow).find((node) => Number.isInteger(node.inputs.width) && Number.isInteger(node.inputs.height));
    const width = Number(sizeNode?.inputs.width ?? 512);
    const height = Number(sizeNode?.inputs.height ?? 512);
    const png = await seededPng(width, height, { workflow, uploads: Object.values(workflow).filter((node) => typeof node.inputs.image === 'string').map((node) => digestOf(uploads.get(node.inputs.image as string) ?? Buffer.alloc(0))) });
    const nodeOutputs: HistoryEntry['outputs'] = {};
    for (const [nodeId, node] of Object.entries(workflow)) {
      if (node.class_type !== 'SaveImage' && node.class_type !== 'PreviewImage') continue;
      counter += 1;
      const file = { filename: `${typeof node.inputs.filename_prefix === 'string' ? node.inputs.filename_prefix : 'ComfyUI'}_${String(counter).padStart(5, '0')}_.png`, subfolder: '', type: node.class_type === 'SaveImage' ? 'output' : 'temp' };
      outputs.set(`${file.type}/${file.subfolder}/${file.filename}`, png);
      nodeOutputs[nodeId] = { images: [file] };
      send(clientId, 'executing', { node: nodeId, display_node: nodeId, prompt_id: promptId });
      send(clientId, 'executed', { node: nodeId, display_node: nodeId, output: { images: [file] }, prompt_id: promptId });
    }
    messages.push(['execution_success', { prompt_id: promptId, timestamp: Date.now() }]);
    history.set(promptId, { outputs: nodeOutputs, status: { status_str: 'success', completed: true, messages } });
    send(clientId, 'execution_success', { prompt_id: promptId, timestamp: Date.now() });
    send(clientId, 'executing', { node: null, prompt_id: promptId });
  };

  const runQueue = async (): Promise<void> => {
    if (running) return;
    while (queue.length > 0) {
      const next = queue.shift()!;
      running = next;
      const runGeneration = generation;
      try {
        await execute(next, runGeneration);
      } finally {
        if (running === next) running = undefined;
      }
      for (const socket of sockets.values()) socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queue.length } } } }));
    }
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search });
    const route = `${request.method} ${url.pathname}`;
    if (route === 'POST /prompt') {
      const body = JSON.parse(await readBody(request)) as { prompt?: FakeComfyPrompt['workflow']; client_id?: string };
      if (typeof body.prompt !== 'object' || body.prompt === null) return sendJson(response, 400, { error: { type: 'no_prompt', message: 'No prompt provided', details: '', extra_info: {} }, node_errors: {} });
      const problem = validate(body.prompt);
      if (problem) return sendJson(response, 400, problem);
      const promptId = randomUUID();
      const samplerNode = Object.values(body.prompt).find((node) => node.class_type === 'KSampler');
      const prompt: FakeComfyPrompt = { promptId, clientId: body.client_id, workflow: body.prompt, seed: samplerNode?.inputs.seed };
      prompts.push(prompt);
      queue.push(prompt);
      sendJson(response, 200, { prompt_id: promptId, number: prompts.length, node_errors: {} });
      void runQueue();
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/history/')) {
      const promptId = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = history.get(promptId);
      return sendJson(response, 200, entry ? { [promptId]: { prompt: [0, promptId, prompts.find((prompt) => prompt.promptId === promptId)?.workflow ?? {}, {}, []], ...entry, meta: {} } } : {});
    }
    switch (route) {
      case 'GET /queue': {
        const entry = (prompt: FakeComfyPrompt, index: number) => [index, prompt.promptId, prompt.workflow, { client_id: prompt.clientId }, []];
        return sendJson(response, 200, { queue_running: running ? [entry(running, 0)] : [], queue_pending: queue.map((prompt, index) => entry(prompt, index + 1)) });
      }
      case 'POST /queue': {
        const body = JSON.parse(await readBody(request)) as { delete?: string[]; clear?: boolean };
        for (const promptId of body.delete ?? []) {
          if (queue.some((prompt) => prompt.promptId === promptId)) deleted.push(promptId);
          queue = queue.filter((prompt) => prompt.promptId !== promptId);
        }
        response.writeHead(200).end();
        return;
      }
      case 'POST /interrupt': {
        const text = await readBody(request);
        const promptId = text === '' ? undefined : (JSON.parse(text) as { prompt_id?: string }).prompt_id;
        if (running && (promptId === undefined || promptId === running.promptId)) {
          interrupted.push(running.promptId);
          interruptRequested = running.promptId;
          if (isHeldNow) held?.resolve();
        }
        response.writeHead(200).end();
        return;
      }
      case 'POST /upload/image': {
        const form = await new Request('http://fake/upload', { method: 'POST', headers: request.headers as Record<string, string>, body: Readable.toWeb(request) as ReadableStream, duplex: 'half' } as RequestInit).formData();
        const image = form.get('image');
        if (!(image instanceof Blob)) return sendJson(response, 400, { error: 'no image' });
        const name = image instanceof File ? image.name : 'upload.png';
        uploads.set(name, Buffer.from(await image.arrayBuffer()));
        return sendJson(response, 200, { name, subfolder: '', type: 'input' });
      }
      case 'GET /view': {
        const key = `${url.searchParams.get('type') ?? 'output'}/${url.searchParams.get('subfolder') ?? ''}/${url.searchParams.get('filename') ?? ''}`;
        const bytes = outputs.get(key);
        if (!bytes) return sendJson(response, 404, { error: 'not found' });
        response.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length }).end(bytes);
        return;
      }
      case 'GET /models/checkpoints':
        return sendJson(response, 200, fakeComfyCheckpoints);
      case 'GET /models/loras':
        return sendJson(response, 200, fakeComfyLoras);
      default:
        response.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendJson(response, 500, { error: String(error) }));
  });
  const webSockets = new WebSocketServer({ server, path: '/ws' });
  webSockets.on('connection', (socket, request) => {
    const clientId = new URL(request.url ?? '/', 'http://fake').searchParams.get('clientId') ?? randomUUID().replaceAll('-', '');
    sockets.set(clientId, socket);
    socket.on('close', () => {
      if (sockets.get(clientId) === socket) sockets.delete(clientId);
    });
    socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queue.length } }, sid: clientId } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    prompts,
    requests,
    uploads,
    deleted,
    interrupted,
    sentMessages,
    failNextExecution: (exception) => failures.push(exception),
    hold() {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((done) => (resolve = done));
      held = { promise, resolve };
    },
    release() {
      held?.resolve();
      held = undefined;
    },
    whenHeld: () => new Promise<void>((resolve) => (isHeldNow ? resolve() : heldWaiters.push(resolve))),
    restart() {
      generation += 1;
      queue = [];
      running = undefined;
      history = new Map();
      held?.resolve();
      held = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        held?.resolve();
        for (const socket of sockets.values()) socket.terminate();
        webSockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

