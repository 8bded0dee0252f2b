/** Plain API calls a browser test makes beside the page (set-up and checks), against the served app. */
import { expect } from 'vitest';
import { picture } from './seed-gallery.js';

export async function apiJson<T>(baseUrl: string, pathAndQuery: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: init.json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  expect(response.ok, `${pathAndQuery}: ${response.status} ${text.slice(0, 500)}`).toBe(true);
  return JSON.parse(text) as T;
}

/** Uploads `count` distinct pictures and runs one automatic local job over them; resolves when it completed. */
export async function completedLocalJob(baseUrl: string, options: { count: number; prompt: string; groupName: string; offset?: number }): Promise<{ jobId: string; groupId: string }> {
  const referenceIds: string[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await picture((options.offset ?? 0) + index, 48))]), `ref-${index}.png`);
    const response = await fetch(`${baseUrl}/api/uploads`, { method: 'POST', body: form });
    referenceIds.push(((await response.json()) as { id: string }).id);
  }
  const job = await apiJson<{ id: string; groupId: string }>(baseUrl, '/api/jobs/submit', {
    json: { mode: 'automatic', provider: 'local', referenceIds, prompt: options.prompt, settings: { size: '512' }, groupName: options.groupName },
  });
  // Called from beforeAll, where expect.poll is not available.
  const deadline = Date.now() + 60_000;
  while ((await apiJson<{ status: string }>(baseUrl, `/api/jobs/${job.id}/status`)).status !== 'completed') {
    if (Date.now() > deadline) throw new Error(`job ${job.id} did not complete within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { jobId: job.id, groupId: job.groupId };
}
