/**
 * A fake AUTOMATIC1111 web UI API on loopback, speaking the real shapes: `GET /sdapi/v1/sd-models`,
 * `GET /sdapi/v1/loras`, `GET /sdapi/v1/samplers`, `POST /sdapi/v1/txt2img` and `/img2img`
 * (`images` base64 + `info` JSON string with `all_seeds`), `GET /sdapi/v1/progress`. Images are
 * deterministic PNGs of the asked size whose content depends on the seed, prompt (with LoRA tags),
 * checkpoint, init image and mask: image i of a batch from seed s equals the single image from s + i,
 * as on the real web UI. Optional `--api-auth` login, FastAPI-style 422s, queued failures, a held
 * generation (to read progress), and a web UI started without `--api` (every route 404).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestOf, seededPng } from '../seeded-png.js';
import { readBody, sendJson } from '../fake-http.js';

export interface FakeCheckpoint {
  title: string;
  model_name: string;
}

export const fakeCheckpoints: FakeCheckpoint[] = [
  { title: 'v1-5-pruned-emaonly.safetensors [6ce0161689]', model_name: 'v1-5-pruned-emaonly' },
  { title: 'sd_xl_base_1.0.safetensors [31e35c80fc]', model_name: 'sd_xl_base_1.0' },
];
export const fakeLoras = ['add_detail', 'film_grain_v2', 'watercolor'];
export const fakeSamplers = ['Euler a', 'Euler', 'DPM++ 2M', 'DDIM'];

/** The seed the fake draws for `seed: -1` (then +1 per draw), so tests know what "random" gave. */
export const fakeRandomSeedStart = 3_000_000_000;

export interface FakeSdwebuiServerOptions {
  checkpoints?: FakeCheckpoint[];
  loras?: string[];
  /** `--api-auth` login; calls without it get 401. Default: none. */
  login?: { username: string; password: string };
  /** false = a web UI started without `--api`: every route answers 404 Not Found. Default true. */
  apiEnabled?: boolean;
  /** Put a grid image first in replies of more than one image (`index_of_first_image: 1`). */
  returnGrid?: boolean;
}

/** One HTTP request as received. */
export interface FakeSdwebuiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** One txt2img/img2img call. */
export interface FakeSdwebuiGeneration {
  endpoint: 'txt2img' | 'img2img';
  body: Record<string, unknown>;
  /** Seeds the images got. */
  seeds: number[];
}

export interface FakeSdwebuiServer {
  readonly baseUrl: string;
  readonly requests: FakeSdwebuiRequest[];
  readonly generations: FakeSdwebuiGeneration[];
  /** The next generation call answers this instead (status + JSON body). */
  failNext(status: number, body: unknown): void;
  /** Holds generation calls until `release()`; meanwhile `/progress` reports `progress`. */
  hold(progress: number): void;
  release(): void;
  /** Resolves once a generation call is being held. */
  whenHeld(): Promise<void>;
  setLoras(names: string[]): void;
  close(): Promise<void>;
}

export async function startFakeSdwebuiServer(options: FakeSdwebuiServerOptions = {}): Promise<FakeSdwebuiServer> {
  const checkpoints = options.checkpoints ?? fakeCheckpoints;
  let loras = options.loras ?? fakeLoras;
  const requests: FakeSdwebuiRequest[] = [];
  const generations: FakeSdwebuiGeneration[] = [];
  const failures: Array<{ status: number; body: unknown }> = [];
  let nextRandomSeed = fakeRandomSeedStart;
  let held: { progress: number; release: Promise<void>; resolve: () => void } | undefined;
  let heldWaiters: Array<() => void> = [];
  let running = 0;
  let currentProgress = 0;
  let loadedCheckpoint = checkpoints[0]?.title ?? 'none';

  const expectedAuthorization = options.login ? `Basic ${Buffer.from(`${options.login.username}:${options.login.password}`).toString('base64')}` : undefined;

  async function generate(endpoint: 'txt2img' | 'img2img', body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const problems: Array<{ loc: string[]; msg: string; type: string }> = [];
    for (const field of ['steps', 'width', 'height', 'batch_size', 'seed']) {
      if (body[field] !== undefined && !Number.isInteger(body[field])) problems.push({ loc: ['body', field], msg: 'value is not a valid integer', type: 'type_error.integer' });
    }
    if (endpoint === 'img2img' && !Array.isArray(body.init_images)) problems.push({ loc: ['body', 'init_images'], msg: 'field required', type: 'value_error.missing' });
    if (problems.length > 0) return sendJson(response, 422, { detail: problems });
    const sampler = typeof body.sampler_name === 'string' ? body.sampler_name : 'Euler a';
    if (!fakeSamplers.includes(sampler)) return sendJson(response, 404, { detail: 'Sampler not found' });
    const failure = failures.shift();
    if (failure) return sendJson(response, failure.status, failure.body);

    running += 1;
    try {
      if (held) {
        currentProgress = held.progress;
        for (const waiter of heldWaiters) waiter();
        heldWaiters = [];
        await held.release;
      }
      const override = (body.override_settings as Record<string, unknown> | undefined)?.sd_model_checkpoint;
      if (typeof override === 'string') {
        if (!checkpoints.some((checkpoint) => checkpoint.title === override)) return sendJson(response, 500, { error: 'RuntimeError', detail: '', body: '', errors: `checkpoint ${override} not found` });
        loadedCheckpoint = override;
      }
      const count = typeof body.batch_size === 'number' ? body.batch_size : 1;
      const requestedSeed = typeof body.seed === 'number' ? body.seed : -1;
      const firstSeed = requestedSeed === -1 ? nextRandomSeed++ : requestedSeed;
      const seeds = Array.from({ length: count }, (_, index) => firstSeed + index);
      const width = Number(body.width ?? 512);
      const height = Number(body.height ?? 512);
      const initImages = Array.isArray(body.init_images) ? (body.init_images as string[]) : [];
      const inputsOf = (seed: number) => ({
        seed,
        prompt: body.prompt,
        negative: body.negative_prompt ?? '',
        checkpoint: loadedCheckpoint,
        steps: body.steps,
        cfg: body.cfg_scale,
        sampler,
        init: initImages.map((image) => digestOf(Buffer.from(image, 'base64'))),
        mask: typeof body.mask === 'string' ? digestOf(Buffer.from(body.mask, 'base64')) : undefined,
        strength: body.denoising_strength,
      });
      const images = await Promise.all(seeds.map(async (seed) => (await seededPng(width, height, inputsOf(seed))).toString('base64')));
      const grid = options.returnGrid && count > 1 ? [(await seededPng(width * 2, height, { grid: seeds })).toString('base64')] : [];
      generations.push({ endpoint, body, seeds });
      const info = {
        prompt: body.prompt,
        all_prompts: seeds.map(() => body.prompt),
        seed: firstSeed,
        all_seeds: seeds,
        subseed: 1234,
        all_subseeds: seeds.map(() => 1234),
        width,
        height,
        sampler_name: sampler,
        index_of_first_image: grid.length,
        infotexts: seeds.map((seed) => `${String(body.prompt)}\nSteps: ${String(body.steps)}, Seed: ${seed}`),
      };
      sendJson(response, 200, { images: [...grid, ...images], parameters: body, info: JSON.stringify(info) });
    } finally {
      running -= 1;
      currentProgress = 0;
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search, authorization: request.headers.authorization });
    if (options.apiEnabled === false) return sendJson(response, 404, { detail: 'Not Found' });
    if (expectedAuthorization !== undefined && request.headers.authorization !== expectedAuthorization) {
      return sendJson(response, 401, { detail: 'Incorrect username or password' });
    }
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /sdapi/v1/sd-models':
        return sendJson(response, 200, checkpoints.map((checkpoint) => ({ ...checkpoint, hash: '6ce0161689', sha256: null, filename: `/models/${checkpoint.model_name}.safetensors`, config: null })));
      case 'GET /sdapi/v1/loras':
        return sendJson(response, 200, loras.map((name) => ({ name, alias: name, path: `/models/Lora/${name}.safetensors`, metadata: {} })));
      case 'GET /sdapi/v1/samplers':
        return sendJson(response, 200, fakeSamplers.map((name) => ({ name, aliases: [], options: {} })));
      case 'GET /sdapi/v1/progress':
        return sendJson(response, 200, {
          progress: running > 0 ? currentProgress : 0,
          eta_relative: 0,
          state: { skipped: false, interrupted: false, job: running > 0 ? 'job' : '', job_count: running, sampling_step: 0, sampling_steps: 20 },
          current_image: url.searchParams.get('skip_current_image') === 'true' ? null : 'iVBORw0KGgo=',
          textinfo: null,
        });
      case 'POST /sdapi/v1/txt2img':
      case 'POST /sdapi/v1/img2img': {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(request)) as Record<string, unknown>;
        } catch {
          return sendJson(response, 422, { detail: [{ loc: ['body'], msg: 'Expecting value', type: 'value_error.jsondecode' }] });
        }
        return generate(url.pathname.endsWith('txt2img') ? 'txt2img' : 'img2img', body, response);
      }
      default:
        return sendJson(response, 404, { detail: 'Not Found' });
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendJson(response, 500, { error: 'FakeError', detail: '', body: '', errors: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    generations,
    failNext: (status, body) => failures.push({ status, body }),
    hold(progress) {
      let resolve: () => void = () => undefined;
      const release = new Promise<void>((done) => (resolve = done));
      held = { progress, release, resolve };
    },
    release() {
      held?.resolve();
      held = undefined;
    },
    whenHeld: () => new Promise<void>((resolve) => (running > 0 && held ? resolve() : heldWaiters.push(resolve))),
    setLoras: (names) => {
      loras = names;
    },
    close: () =>
      new Promise<void>((resolve) => {
        held?.resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

