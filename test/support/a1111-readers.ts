/**
 * What the community's AUTOMATIC1111 metadata readers make of a `parameters` text, ported from
 * their documented behaviour (/work/shared/reference/outside-readers.md and sd-parsers'
 * `_automatic1111.py`), so tests can check imagefleet's PNGs read as A1111 text in both.
 */

/** sd-prompt-reader: splits at `\nSteps:`; without it the whole text is the prompt. */
export function readLikeSdPromptReader(text: string): { prompt: string; negativePrompt: string; settings: Record<string, string> } {
  const at = text.indexOf('\nSteps:');
  if (at < 0) return { prompt: text, negativePrompt: '', settings: {} };
  const [prompt = '', negativePrompt = ''] = text.slice(0, at).split('\nNegative prompt: ');
  const settings: Record<string, string> = {};
  for (const match of text.slice(at + 1).matchAll(/\s*([\w ][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g)) {
    const value = match[2] ?? '';
    settings[(match[1] ?? '').trim()] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return { prompt, negativePrompt, settings };
}

const samplerParameters = ['Sampler', 'CFG scale', 'Seed', 'Steps', 'ENSD'];

/**
 * sd-parsers: from the last line up, the first line whose comma-separated `key: value` items hold
 * at least three sampler keys is the settings line, and `Sampler` must be among them; otherwise
 * the text is not recognised (undefined).
 */
export function readLikeSdParsers(text: string): { prompt: string; negativePrompt: string; sampler: string; sampling: Record<string, string>; model: string | undefined; metadata: Record<string, string> } | undefined {
  const lines = text.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const metadata: Record<string, string> = {};
    for (const item of (lines[index] ?? '').split(',')) {
      const parts = item.split(':');
      if (parts.length === 2) metadata[(parts[0] ?? '').trim()] = (parts[1] ?? '').trim();
    }
    const sampling: Record<string, string> = {};
    for (const key of samplerParameters) {
      if (key in metadata) {
        sampling[key] = metadata[key]!;
        delete metadata[key];
      }
    }
    if (Object.keys(sampling).length < 3) continue;
    if (sampling.Sampler === undefined) return undefined;
    const [prompt = '', negativePrompt = ''] = lines.slice(0, index).join('\n').split('Negative prompt:');
    const { Sampler: sampler, ...rest } = sampling;
    return { prompt: prompt.trim(), negativePrompt: negativePrompt.trim(), sampler, sampling: rest, model: metadata.Model, metadata };
  }
  return undefined;
}
