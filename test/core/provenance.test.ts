import { describe, expect, it } from 'vitest';
import { buildProvenance, type ProvenanceInput } from '../../src/core/provenance.js';
import { readLikeSdParsers, readLikeSdPromptReader } from '../support/a1111-readers.js';

const input: ProvenanceInput = {
  prompt: 'a red bicycle, studio light',
  negativePrompt: 'blurry, text',
  provider: 'local',
  model: 'local-transform',
  requestId: 'local-0123456789abcdef',
  seed: 4_294_967_295,
  referenceSha256s: ['a'.repeat(64), 'b'.repeat(64)],
  jobId: 'job_1',
  taskId: 'task_9',
  appVersion: '0.1.0',
  size: '1K',
  aspectRatio: '16:9',
  width: 1360,
  height: 768,
};

/** The key-value parser AUTOMATIC1111 uses for the last line of `parameters` (modules/infotext_utils.py). */
function parseA1111Settings(line: string): Record<string, string> {
  const pattern = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
  const settings: Record<string, string> = {};
  for (const match of line.matchAll(pattern)) {
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    settings[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return settings;
}

describe('buildProvenance', () => {
  it('records every field as JSON under "imagefleet"', () => {
    const entries = buildProvenance(input);
    expect(Object.keys(entries).sort()).toEqual(['imagefleet', 'parameters']);
    expect(JSON.parse(entries.imagefleet ?? '')).toEqual({ format: 1, ...input });
  });

  it('writes an AUTOMATIC1111-style "parameters" text that its parser reads back', () => {
    const lines = (buildProvenance(input).parameters ?? '').split('\n');
    expect(lines[0]).toBe('a red bicycle, studio light');
    expect(lines[1]).toBe('Negative prompt: blurry, text');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^Steps: 1, Sampler: local, CFG scale: 1, Seed: 4294967295, Size: 1360x768, Model: local-transform, /);
    const settings = parseA1111Settings(lines[2] ?? '');
    expect(settings).toMatchObject({
      Seed: '4294967295',
      Size: '1360x768',
      Model: 'local-transform',
      Provider: 'local',
      'Request id': 'local-0123456789abcdef',
      'Reference hashes': `${'a'.repeat(64)}, ${'b'.repeat(64)}`,
      'Job id': 'job_1',
      'Task id': 'task_9',
      Version: 'imagefleet 0.1.0',
    });
  });

  it('reads as A1111 text in sd-prompt-reader and sd-parsers: prompt, negative prompt, seed, size, model', () => {
    const text = buildProvenance({ ...input, prompt: 'a red bicycle,\nstudio light: soft' }).parameters ?? '';
    const promptReader = readLikeSdPromptReader(text);
    expect(promptReader).toMatchObject({ prompt: 'a red bicycle,\nstudio light: soft', negativePrompt: 'blurry, text' });
    expect(promptReader.settings).toMatchObject({ Seed: '4294967295', Size: '1360x768', Model: 'local-transform' });
    const parsers = readLikeSdParsers(text);
    expect(parsers).toMatchObject({ prompt: 'a red bicycle,\nstudio light: soft', negativePrompt: 'blurry, text', sampler: 'local', model: 'local-transform' });
    expect(parsers?.sampling).toMatchObject({ Seed: '4294967295', Steps: '1', 'CFG scale': '1' });
    // Recognised even without a seed (a provider that has none).
    expect(readLikeSdParsers(buildProvenance({ ...input, seed: undefined }).parameters ?? '')?.model).toBe('local-transform');
  });

  it('writes the sampler settings a Stable Diffusion call ran with, in A1111 order', () => {
    const text = buildProvenance({ ...input, provider: 'sdwebui', model: 'sd_xl_base_1.0', sampling: { steps: 28, sampler: 'DPM++ 2M', scheduler: 'Karras', cfgScale: 6.5, denoisingStrength: 0.6 } }).parameters ?? '';
    expect(text.split('\n').at(-1)).toMatch(/^Steps: 28, Sampler: DPM\+\+ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 4294967295, Size: 1360x768, Model: sd_xl_base_1.0, Denoising strength: 0.6, /);
    expect(readLikeSdParsers(text)).toMatchObject({ sampler: 'DPM++ 2M', sampling: { Steps: '28', 'CFG scale': '6.5', Seed: '4294967295' }, model: 'sd_xl_base_1.0' });
  });

  it('leaves out what is unknown: no negative prompt line, no seed, no request id', () => {
    const entries = buildProvenance({ ...input, negativePrompt: undefined, seed: undefined, requestId: undefined, referenceSha256s: [] });
    const text = entries.parameters ?? '';
    expect(text).not.toContain('Negative prompt:');
    expect(text).not.toContain('Seed:');
    expect(text).not.toContain('Request id:');
    expect(text).not.toContain('Reference hashes:');
    expect(text.split('\n')).toHaveLength(2);
    const record = JSON.parse(entries.imagefleet ?? '') as Record<string, unknown>;
    expect(record).not.toHaveProperty('seed');
    expect(record.referenceSha256s).toEqual([]);
  });

  it('quotes values that would break the settings line', () => {
    const text = buildProvenance({ ...input, model: 'my, "odd"\nmodel' }).parameters ?? '';
    const lastLine = text.split('\n').at(-1) ?? '';
    expect(parseA1111Settings(lastLine).Model).toBe('my, "odd"\nmodel');
  });
});
