/**
 * Benchmark: upload of 1,000 × ~1 MB images, 4 at a time, through the real `imagefleet serve`
 * (Next.js route handler → busboy → temp file, hashed on the way → header check → decode,
 * re-encode without metadata, SHA-256, blob write, asset row). MB/s, and the server process's peak
 * RSS above idle (goal ≤ 120 MiB), in the default environment and with the allocator setting of
 * decision 0045, one after the other in the same run; then a CPU profile of a shorter pass.
 */
import { openAsBlob } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { cpus, loadavg } from 'node:os';
import { memoryOf, quantile, reportApiBenchResult, sampleMemory, startServe, table, type ApiBenchResult } from './support/api-bench.js';
import { cpuProfileTable, summariseCpuProfileIn } from './support/cpu-profile-summary.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

const imageCount = Number(process.env.BENCH_UPLOAD_COUNT ?? 1_000);
const concurrency = 4;
const width = 1600;
const height = 1200;
/** The server may grow this much above its idle RSS while 4 uploads run at once. */
const goalAddedMiB = 120;
/** Uploads of the profiling pass. */
const profileCount = Math.min(150, imageCount - 1);

/** The environments the server is measured in: as `npm start` runs it, and with the allocator setting decision 0045 documents. */
const settings = [
  { label: 'default', env: {} },
  { label: 'MALLOC_MMAP_THRESHOLD_=131072', env: { MALLOC_MMAP_THRESHOLD_: '131072' } },
] as const satisfies ReadonlyArray<{ label: string; env: Record<string, string> }>;

/** What the profiles and the memory runs showed (docs/decisions/0045). */
const uploadReading = [
  '**Reading.** Decoding and re-encoding run in libvips on the libuv pool, outside these samples of the main thread. On the main thread the largest cost is garbage collection of the request body\'s chunks on their way from Next.js\'s web stream through busboy to the temporary file, then the file writes themselves; the SHA-256 taken on the way is a few per cent. Before this change each upload also read its temporary file a second time for the SHA-256 of the bytes as uploaded and parsed the image header twice (once in the route, once in the importer); the hash is now taken while the bytes stream to disk and the header is handed on. The per-chunk garbage stays for now: the body reaches the route as a web stream because uploads are served by Next.js (serving them before Next, as ZIP downloads are — decision 0011 — would remove that layer).',
  'The memory is not the uploads\' bytes (they stream to disk) nor libvips\' cache (turning it off with `sharp.cache(false)` did not lower the peak in a 200-upload trial, nor did `sharp.concurrency(1)`): it is glibc keeping freed image buffers. Decoding runs on up to 16 libuv threads, glibc gives each its own arena, and its dynamic mmap threshold soon serves 5 MiB pixel buffers from those arenas, which keep them after `free`. In 200-upload trials on this machine (load 15–27): default +320 to +377 MiB, `MALLOC_ARENA_MAX=2` +194 MiB, `MALLOC_MMAP_THRESHOLD_=131072` +108 MiB (large buffers are mapped and unmapped, so they go back to the system at once), both together +133 MiB; images/s within the noise of each other. glibc reads these variables once at start, so they cannot be set from inside the process: decision 0045 documents the setting (docs/deployment.md) instead of changing the start script\'s environment silently. What remains with the setting is, as far as these runs tell, the JavaScript heap of the request path (the garbage above, collected late) and small allocations left in the arenas; this benchmark does not split the two.',
].join(' ');

/** Distinct noisy JPEGs of about 1 MB (photo-like entropy), written to `directory`. */
async function makeImages(directory: string): Promise<{ files: string[]; bytes: number }> {
  await mkdir(directory, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  const noise = randomBytes(width * height * 3);
  for (let start = 0; start < imageCount; start += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, imageCount - start) }, async (_value, offset) => {
        const index = start + offset;
        // A stripe of fresh noise in its own copy keeps every image (and its re-encode) distinct.
        const pixels = Buffer.from(noise);
        randomBytes(width * 3 * 8).copy(pixels, (index % (height - 8)) * width * 3);
        const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).blur(0.8).jpeg({ quality: 90 }).toBuffer();
        const file = path.join(directory, `upload-${index}.jpg`);
        await writeFile(file, jpeg);
        return { file, size: jpeg.length };
      }),
    );
    for (const { file, size } of batch) {
      files.push(file);
      bytes += size;
    }
  }
  return { files, bytes };
}

interface UploadRun {
  idleMiB: number;
  peakMiB: number;
  elapsedMs: number;
  uploadedMB: number;
  uploads: number;
  latencies: number[];
  statuses: Map<number, number>;
}

/** Uploads `files` (the first untimed) to a fresh `imagefleet serve` started with `env`, `concurrency` at a time. */
async function uploadAll(files: string[], dataDir: string, env: Record<string, string>): Promise<UploadRun> {
  const serve = await startServe(dataDir, env);
  const pid = serve.child.pid!;
  try {
    // One upload first, untimed: route compilation and first-use setup are not upload cost.
    const warm = new FormData();
    warm.append('file', await openAsBlob(files[0]!), 'warm.jpg');
    await (await fetch(`${serve.baseUrl}/api/uploads`, { method: 'POST', body: warm })).text();
    const idleMiB = memoryOf(pid).rssMiB;
    const sampler = sampleMemory(pid);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 1;
    let uploadedBytes = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < files.length) {
          const file = files[next]!;
          next += 1;
          const form = new FormData();
          const blob = await openAsBlob(file);
          uploadedBytes += blob.size;
          form.append('file', blob, path.basename(file));
          const sent = performance.now();
          const response = await fetch(`${serve.baseUrl}/api/uploads`, { method: 'POST', body: form });
          await response.text();
          latencies.push(performance.now() - sent);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    return { idleMiB, peakMiB: sampler.stop(), elapsedMs, uploadedMB: uploadedBytes / 1e6, uploads: files.length - 1, latencies, statuses };
  } finally {
    await serve.stop();
  }
}

async function main(): Promise<void> {
  const work = await makeTempDataDir('upload');
  try {
    console.log(`upload: making ${formatInteger(imageCount)} images of ${width}×${height}…`);
    const { files, bytes } = await makeImages(path.join(work.directory, 'images'));
    const loads: number[] = [];
    const runs: Array<{ label: string; env: Record<string, string>; result: UploadRun }> = [];
    for (const [index, setting] of settings.entries()) {
      loads.push(loadavg()[0] ?? Number.NaN);
      runs.push({ ...setting, result: await uploadAll(files, path.join(work.directory, `data-${index}`), setting.env) });
    }
    const profileDirectory = path.join(work.directory, 'profile');
    await uploadAll(files.slice(0, profileCount + 1), path.join(work.directory, 'data-profile'), { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDirectory}` });
    const profile = await summariseCpuProfileIn(profileDirectory, 14);

    const megabytesPerSecond = (run: UploadRun) => run.uploadedMB / (run.elapsedMs / 1000);
    const imagesPerSecond = (run: UploadRun) => run.uploads / (run.elapsedMs / 1000);
    const added = (run: UploadRun) => run.peakMiB - run.idleMiB;
    const machine = `${cpus().length} cores, load ${loads.map((load) => formatDecimal(load, 2)).join(' / ')} at the runs' starts`;
    const [plain, tuned] = runs as [(typeof runs)[number], (typeof runs)[number]];
    const rows: ApiBenchResult['rows'] = [
      { benchmark: 'Upload', figure: `${formatInteger(plain.result.uploads)} × ~${formatDecimal(bytes / files.length / 1e6, 1)} MB JPEG, ${concurrency} at a time (default environment)`, value: `${formatDecimal(megabytesPerSecond(plain.result), 1)} MB/s (${formatDecimal(imagesPerSecond(plain.result), 1)} images/s; ${machine})`, goal: 'measure (not lower than before: compare with the old tree side by side, bench/side-by-side.ts)', verdict: 'info' },
      { benchmark: 'Upload', figure: 'peak RSS of the server above idle while uploading, default environment', value: `+${formatInteger(added(plain.result))} MiB (${formatInteger(plain.result.peakMiB)}, idle ${formatInteger(plain.result.idleMiB)} MiB)`, goal: `≤ idle + ${goalAddedMiB} MiB`, verdict: added(plain.result) <= goalAddedMiB ? 'met' : 'missed' },
      { benchmark: 'Upload', figure: `the same with ${tuned.label} (docs/deployment.md, decision 0045)`, value: `+${formatInteger(added(tuned.result))} MiB (${formatInteger(tuned.result.peakMiB)}, idle ${formatInteger(tuned.result.idleMiB)} MiB) at ${formatDecimal(megabytesPerSecond(tuned.result), 1)} MB/s`, goal: `≤ idle + ${goalAddedMiB} MiB`, verdict: added(tuned.result) <= goalAddedMiB ? 'met' : 'missed' },
    ];
    const section = [
      '## 5. Upload',
      '### Method',
      [
        `- **Images:** ${formatInteger(imageCount)} distinct ${width}×${height} JPEGs of noise (quality 90, lightly blurred: photo-like entropy), ${formatDecimal(bytes / imageCount / 1e6, 2)} MB on average, written to disk first.`,
        '- **Server:** the real `imagefleet serve` (production build, loopback, fresh data directory, default limits), started by the benchmark, once per environment below, one after the other in this run. `POST /api/uploads` streams the multipart body to a temporary file with busboy, hashing it (SHA-256 of the bytes as uploaded) and checking the type from the first bytes on the way, checks the pixel count from the header, then decodes, re-encodes without metadata (JPEG stays JPEG) and stores it by the SHA-256 of the stored bytes — at most `max(2, cores)` decodes at once. The header and the hash are worked out once per upload (decision 0045).',
        `- **Environments:** ${runs.map((run) => `${run.label}${Object.keys(run.env).length === 0 ? '' : ` (\`${Object.entries(run.env).map(([name, value]) => `${name}=${value}`).join(' ')}\`)`}`).join('; ')}.`,
        `- **Client:** ${concurrency} workers posting \`multipart/form-data\` with \`fetch\`, each file streamed from disk (\`fs.openAsBlob\`); one untimed upload first. MB/s = bytes of the timed uploads ÷ wall time from the first request to the last answer.`,
        "- **Memory:** the server process's RSS (`/proc/<pid>/status` VmRSS) every 50 ms while uploading; \"idle\" is after the warm-up upload.",
        `- **Profile:** afterwards ${formatInteger(profileCount)} uploads to a third server under \`node --cpu-prof\` (its whole life, start included).`,
        `- **Machine:** ${machine}.`,
      ].join('\n'),
      '### Figures',
      table(
        ['Environment', 'Uploads', 'Answers', 'Wall time', 'Throughput', 'Latency p50 / p95 / max', 'Server RSS idle / peak (added)'],
        runs.map(({ label, result }) => [
          label,
          formatInteger(result.uploads),
          [...result.statuses].map(([status, count]) => `${count} × ${status}`).join(', '),
          `${formatDecimal(result.elapsedMs / 1000, 1)} s`,
          `**${formatDecimal(megabytesPerSecond(result), 1)} MB/s** (${formatDecimal(imagesPerSecond(result), 1)} images/s)`,
          `${formatInteger(quantile(result.latencies, 0.5))} / ${formatInteger(quantile(result.latencies, 0.95))} / ${formatInteger(Math.max(...result.latencies))} ms`,
          `${formatInteger(result.idleMiB)} / **${formatInteger(result.peakMiB)} MiB** (+${formatInteger(added(result))})`,
        ]),
      ),
      `${runs.every(({ result }) => (result.statuses.get(201) ?? 0) === result.uploads) ? 'Every upload was stored (201).' : '**Not every upload answered 201.**'} An upload's bytes never sit in memory whole (they stream to a temporary file).`,
      '### Profile',
      `The serving process was busy ${formatInteger(profile.busyMs)} ms of ${formatInteger(profile.totalMs)} ms (start of Next.js included):`,
      cpuProfileTable(profile),
      uploadReading,
    ].join('\n\n');
    await reportApiBenchResult({ scenario: 'upload', rows, section });
  } finally {
    await work.remove();
  }
}

await main();
