/**
 * Benchmark: upload of 1,000 × ~1 MB images, 4 at a time, through the real `imagefleet serve`
 * (the Node request → busboy → temp file, hashed on the way → header check → decode,
 * re-encode without metadata, SHA-256, blob write, asset row). MB/s, and the server process's peak
 * RSS above idle (goal ≤ 120 MiB), as `npm start` and `imagefleet serve` run it (on Linux with the
 * allocator variables and V8 flag of decision 0047) and with glibc's and V8's defaults, one after
 * the other in the same run; then a CPU profile of a shorter pass with the settings.
 * `BENCH_UPLOAD_COUNT=200 node --import tsx bench/upload.ts` for a quicker pass (default 1,000).
 */
import { openAsBlob, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { cpus, loadavg } from 'node:os';
import { quantile, reportApiBenchResult, startServe, table, type ApiBenchResult } from './support/api-bench.js';
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

/**
 * The environments the server is measured in: as `npm start` and a bare `imagefleet serve` run it
 * (on Linux both replace themselves once with the memory settings of decision 0047), and with those
 * settings turned off (`IMAGEFLEET_MEMORY_SETTINGS=default`: glibc's and V8's defaults), side by side.
 */
const settings = [
  { label: '`npm start` / `imagefleet serve` (memory settings, decisions 0047 and 0052)', env: {} },
  { label: 'glibc and V8 defaults (`IMAGEFLEET_MEMORY_SETTINGS=default`)', env: { IMAGEFLEET_MEMORY_SETTINGS: 'default' } },
] as const satisfies ReadonlyArray<{ label: string; env: Record<string, string> }>;

/** What the profiles and the memory runs showed (docs/decisions/0045). */
const uploadReading = [
  '**Reading.** Two things grow the server while uploads run. (1) glibc keeps freed image buffers: decoding and re-encoding run on up to 16 libuv threads (`bin/imagefleet.js` sets 16 for the engine\'s fsync-bound writes), glibc gives each its own arena, and its dynamic mmap threshold soon serves 5 MiB pixel buffers from those arenas, which keep them after `free`. A fixed `MALLOC_MMAP_THRESHOLD_=131072` maps every large buffer on its own, so it goes back to the system when freed. (2) Garbage collected late: every request body chunk and every encoded image is a buffer outside the JavaScript heap that is freed only when the young generation is collected; V8 lets that generation grow to 16 MiB semi-spaces, so tens of MiB of dead buffers wait. A 4 MiB semi-space (`--max-semi-space-size=4`) collects them sooner, and lowers the idle RSS too. (3) Speed: a fixed mmap threshold also fixes glibc\'s trim threshold at 128 KiB, so arena tops go back to the system after nearly every free, and uploads ran at 0.3–0.5 × the bare server\'s MB/s at load 8–12; `MALLOC_TRIM_THRESHOLD_=4194304` keeps up to 4 MiB per arena and gave the speed back at the same memory (+109).',
  '**What grew, by part (decision 0052).** Sampled every 200 of 999 uploads (`/proc/<pid>/smaps` and the server\'s `process.memoryUsage()`), the peak above idle was four things: (a) 15 MiB file-backed — deleted temporary uploads still mapped, kept by libvips\' operation cache (now off: it never hits, every image is new); (b) the JavaScript heap, 25–45 MiB of request garbage promoted out of the small young generation and collected only when the old generation had grown 2–4 × (now `--heap-growing-percent=20`: 1.2 ×; the heap stays within 75–87 MiB); (c) 7–27 MiB external — each re-encoded image waited for a full collection (now freed once stored); (d) 30–40 MiB of malloc fragmentation in the thread arenas and the main heap, creeping with the number of uploads (not addressed). A full collection after a run left the heap where it started: no leak.',
  'Trials of 150 uploads on this machine (load 12–23, figures ±20 MiB between repeats): before uploads were served ahead of Next.js — nothing set +345, `UV_THREADPOOL_SIZE=4` +183, the mmap threshold +161, threshold and 4 threads +158, those and `MALLOC_ARENA_MAX=2` +133, threshold and a 2 MiB semi-space +114, a 2 MiB semi-space alone +371; after (busboy reads the Node request, no web stream in between) — nothing set +331, the threshold +119 and +139, threshold and a 4 MiB semi-space +93 and +106, threshold and an 8 MiB semi-space +128, a 1 MiB threshold and a 4 MiB semi-space +106 (as slow as 128 KiB), a 4 MiB threshold +365 (the buffers kept are 1–4 MiB: encoded images and their growing output buffers); `sharp.cache(false)`, `VIPS_CONCURRENCY=1` and 4 libuv threads changed nothing beside the threshold. So the mmap threshold is the lever that bounds the peak, the semi-space takes the rest under the goal, the trim threshold keeps the speed, and fewer libuv threads are not needed (the engine keeps its 16). glibc reads its variables once at start and V8 sizes its heap at start, so none of them can be set from inside the process: `bin/imagefleet.js` replaces `serve` and `worker` once with them set (`process.execve`: the same PID, decision 0047); the second row is what a server gets without them (`IMAGEFLEET_MEMORY_SETTINGS=default`, or a user\'s own `MALLOC_` variable, or Node 22 before 22.15).',
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

/** A process's resident set from `/proc/<pid>/status`, in MiB: in all, anonymous (heaps, malloc) and file-backed (code, mapped files). */
interface ResidentSet {
  rssMiB: number;
  anonymousMiB: number;
  fileMiB: number;
}

function residentSetOf(pid: number): ResidentSet {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rssMiB: field('VmRSS'), anonymousMiB: field('RssAnon'), fileMiB: field('RssFile') + field('RssShmem') };
}

/** Samples a process's resident set every 50 ms until stopped; returns the sample with the highest RSS. */
function samplePeak(pid: number): { stop(): ResidentSet } {
  let peak = residentSetOf(pid);
  const sample = () => {
    try {
      const current = residentSetOf(pid);
      if (current.rssMiB > peak.rssMiB) peak = current;
    } catch {
      // The process ended.
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

interface UploadRun {
  idleMiB: number;
  peakMiB: number;
  /** The resident set after the warm-up upload and at the highest sample while uploading. */
  idle: ResidentSet;
  peak: ResidentSet;
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
    const idle = residentSetOf(pid);
    const sampler = samplePeak(pid);
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
    const peak = sampler.stop();
    return { idleMiB: idle.rssMiB, peakMiB: peak.rssMiB, idle, peak, elapsedMs, uploadedMB: uploadedBytes / 1e6, uploads: files.length - 1, latencies, statuses };
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
    await uploadAll(files.slice(0, profileCount + 1), path.join(work.directory, 'data-profile'), { ...settings[0].env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDirectory}` });
    const profile = await summariseCpuProfileIn(profileDirectory, 14);

    const megabytesPerSecond = (run: UploadRun) => run.uploadedMB / (run.elapsedMs / 1000);
    const imagesPerSecond = (run: UploadRun) => run.uploads / (run.elapsedMs / 1000);
    const added = (run: UploadRun) => run.peakMiB - run.idleMiB;
    const machine = `${cpus().length} cores, load ${loads.map((load) => formatDecimal(load, 2)).join(' / ')} at the runs' starts`;
    const [started, bare] = runs as [(typeof runs)[number], (typeof runs)[number]];
    const rows: ApiBenchResult['rows'] = [
      { benchmark: 'Upload', figure: `${formatInteger(started.result.uploads)} × ~${formatDecimal(bytes / files.length / 1e6, 1)} MB JPEG, ${concurrency} at a time, as \`npm start\` and \`imagefleet serve\` run the server`, value: `${formatDecimal(megabytesPerSecond(started.result), 1)} MB/s (${formatDecimal(imagesPerSecond(started.result), 1)} images/s; ${machine})`, goal: 'measure (not lower than before: compare with the old tree side by side)', verdict: 'info' },
      { benchmark: 'Upload', figure: 'peak RSS of the server above its idle RSS while uploading, as `npm start` and `imagefleet serve` run it (decision 0047)', value: `+${formatInteger(added(started.result))} MiB (peak ${formatInteger(started.result.peakMiB)}, idle ${formatInteger(started.result.idleMiB)} MiB)`, goal: `≤ idle + ${goalAddedMiB} MiB`, verdict: added(started.result) <= goalAddedMiB ? 'met' : 'missed' },
      { benchmark: 'Upload', figure: 'the same with glibc\'s and V8\'s defaults (`IMAGEFLEET_MEMORY_SETTINGS=default`)', value: `+${formatInteger(added(bare.result))} MiB (peak ${formatInteger(bare.result.peakMiB)}, idle ${formatInteger(bare.result.idleMiB)} MiB) at ${formatDecimal(megabytesPerSecond(bare.result), 1)} MB/s`, goal: 'info (the goal is for the default start)', verdict: 'info' },
    ];
    const section = [
      '## 5. Upload',
      '### Method',
      [
        `- **Images:** ${formatInteger(imageCount)} distinct ${width}×${height} JPEGs of noise (quality 90, lightly blurred: photo-like entropy), ${formatDecimal(bytes / imageCount / 1e6, 2)} MB on average, written to disk first.`,
        '- **Server:** the real `imagefleet serve` (production build, loopback, fresh data directory, default limits), started by the benchmark, once per environment below, one after the other in this run. `POST /api/uploads` is answered before Next.js (decision 0047): busboy reads the Node request and streams the file to a temporary file, hashing it (SHA-256 of the bytes as uploaded) and checking the type from the first bytes on the way, checks the pixel count from the header, then decodes, re-encodes without metadata (JPEG stays JPEG) and stores it by the SHA-256 of the stored bytes — at most `max(2, cores)` decodes at once. The header and the hash are worked out once per upload (decision 0045).',
        // Each label names the variables its run sets.
        `- **Environments:** ${runs.map((run) => run.label).join('; ')}.`,
        `- **Client:** ${concurrency} workers posting \`multipart/form-data\` with \`fetch\`, each file streamed from disk (\`fs.openAsBlob\`); one untimed upload first. MB/s = bytes of the timed uploads ÷ wall time from the first request to the last answer.`,
        "- **Memory:** the server process's RSS (`/proc/<pid>/status` VmRSS) every 50 ms while uploading, with its anonymous (RssAnon: JavaScript heap, malloc arenas, image buffers) and file-backed part (RssFile + RssShmem: code, mapped files) at the highest sample; \"idle\" is after the warm-up upload. The server is one process (imports run in it, no helper process to add).",
        `- **Profile:** afterwards ${formatInteger(profileCount)} uploads to a third server, with the memory settings, under \`node --cpu-prof\` (its whole life, start included).`,
        `- **Machine:** ${machine}.`,
      ].join('\n'),
      '### Figures',
      table(
        ['Environment', 'Uploads', 'Answers', 'Wall time', 'Throughput', 'Latency p50 / p95 / max', 'Server RSS idle / peak (added)', 'Of which anonymous / file-backed, idle → peak'],
        runs.map(({ label, result }) => [
          label,
          formatInteger(result.uploads),
          [...result.statuses].map(([status, count]) => `${count} × ${status}`).join(', '),
          `${formatDecimal(result.elapsedMs / 1000, 1)} s`,
          `**${formatDecimal(megabytesPerSecond(result), 1)} MB/s** (${formatDecimal(imagesPerSecond(result), 1)} images/s)`,
          `${formatInteger(quantile(result.latencies, 0.5))} / ${formatInteger(quantile(result.latencies, 0.95))} / ${formatInteger(Math.max(...result.latencies))} ms`,
          `${formatInteger(result.idleMiB)} / **${formatInteger(result.peakMiB)} MiB** (+${formatInteger(added(result))})`,
          `${formatInteger(result.idle.anonymousMiB)} → ${formatInteger(result.peak.anonymousMiB)} / ${formatInteger(result.idle.fileMiB)} → ${formatInteger(result.peak.fileMiB)} MiB`,
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
