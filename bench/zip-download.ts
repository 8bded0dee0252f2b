/**
 * Benchmark: ZIP download of 2,000 images (~1 GB). Throughput of `GET /api/download/{groupId}`
 * over loopback ÷ its floor, the same files sent by the same server process over HTTP without ZIP,
 * measured side by side (goal ≥ 0.9), and the serving process's peak RSS above idle while sending
 * (goal ≤ 50 MiB), plus a CPU profile of each. Run by `npm run bench` in its own process.
 */
import { blobFilePath } from '../test/support/blob-file-path.js';
import { spawn } from 'node:child_process';
import { randomFillSync, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/fleet/create-fleet.js';
import { reportApiBenchResult, memoryOf, repositoryRoot, sampleMemory, table, type ApiBenchResult } from './support/api-bench.js';
import { cpuProfileTable, summariseCpuProfileIn, type CpuProfileSummary } from './support/cpu-profile-summary.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { median } from './support/statistics.js';
import { makeTempDataDir } from './support/temp-data-dir.js';
import { sqliteDatabaseOf } from '../test/support/sqlite-database-of.js';

const imageCount = 2_000;
const imageBytes = 512 * 1024;
const rounds = 7;
const goalRatio = 0.9;
/** The serving process may grow this much above its idle RSS while sending a ZIP. */
const goalAddedMiB = 50;

/** What the profiles showed, before and after the changes (docs/decisions/0045, 0049). */
const zipProfileReading = [
  '**Reading.** Before decision 0045 (yazl, one `fs.createReadStream` per file with 1 MiB reads, piped through yazl\'s CRC, counter and pass-through stages) the CPU profile of the serving process during three ZIP downloads of 1,000 × 512 KiB was: idle 56%, **garbage collection 18%** (41% of the busy time), `zlib.crc32` 4%, socket writes 4%, file read/open/stat/close 4%, yazl and stream plumbing the rest — every read allocated a fresh buffer, and V8 ran full collections to free them (the process also grew by 60–120 MiB of such buffers before each collection).',
  'Decision 0045 replaced yazl by `src/server/zip/stored-zip-writer.ts`: the same bytes yazl wrote (a test compares them byte for byte), each file read with `pread` through the blob port\'s `openReader` into one of four reused 512 KiB buffers that go back to the pool when the socket has sent them, so a download allocates nothing per chunk and holds about 2 MiB of file bytes; garbage collection fell to a few per cent of the busy time. What the archive then paid beyond its floor was mostly the CRC-32: Node\'s native `zlib.crc32` over every byte (no SIMD in Node\'s bundled zlib; 1.8–4 GB/s here), about a quarter of the serving process\'s busy time — the group without stored CRCs above still pays it. Decision 0049 takes the CRC once, when the engine writes an output, and stores it with the image row (migration 0014), so the writer copies those files without checksumming them; a file found damaged while streaming gets the CRC of what was actually sent (the part already sent is read again). At 0.86 of the floor and 1.22× its CPU over all threads, the rest was split apart (decision 0051) with `strace -f -c` on the serving process and per-thread CPU from `/proc/<pid>/task/*/stat` over a ZIP and a floor download of the same files: both made the same system calls per file (`openat`, one `pread64` of the whole file, `close`, three eventfd wake-ups of the thread pool) except the socket write — the floor one `write` of 512 KiB, the ZIP one `writev` of three pieces (the last entry\'s data descriptor and this entry\'s local header, corked, then the file); the thread pool\'s CPU (open, read, close) was the same for both, and the ZIP\'s main thread used about a quarter more than the floor\'s (750 vs 600 ms per GB, medians of 10 interleaved rounds side by side at load 13–15), its garbage-collection helper threads more too (60 vs 20 ms per GB): per file two more stream writes through `http`/`net` with cork and uncork, Node\'s buffered path that gathers chunks for `writev`, two small record buffers to allocate and collect, four `Date`s for the DOS time. Decision 0051 writes the records straight into 4 KiB of headroom in front of the read buffer that holds the file\'s first chunk, so each file leaves in one `write`, the floor\'s pattern (the strace counts now match: 8,015 `write` + 44 `writev` for the ZIP, 7,994 + 35 for the floor, 2,000 `pread64`, `openat` and `close` each); the last descriptor and the end records ride with the central directory. In the same 10 rounds (old writer, new writer and floor served by three processes on the same files, interleaved) the main thread went from 750 to 690 ms per GB (floor 600) and all threads from 1,100 to 1,020 (floor 890): 1.15× the floor\'s CPU instead of 1.24×. What remains above the floor is the plan before the first byte (names from the path template, the manifest: ≈ 20 ms of main thread for 2,000 images), the per-entry promises and central directory records, and the garbage they leave (a sampling heap profile: about 50 MB allocated per ZIP download against 30 MB for the floor — 53 MB before the cuts of decision 0051 —, collected partly by V8\'s helper threads).',
].join(' ');

/**
 * Two groups over the same `imageCount` files (random bytes: incompressible, like images), each one
 * job of completed one-image tasks: the first's image rows carry the CRC-32 the engine stores when it
 * writes an output (migration 0014), the second's do not, as images written before it.
 */
async function seed(dataDir: string): Promise<{ groupId: string; legacyGroupId: string }> {
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_LOG_LEVEL: 'silent' }));
  try {
    const { db } = sqliteDatabaseOf(fleet);
    const nowMs = Date.now();
    const createCompletedJob = async (groupName: string) => {
      const group = await fleet.store.groups.createGroup(groupName);
      const jobId = randomUUID();
      const tasks = Array.from({ length: imageCount }, (_value, ordinal) => ({
        id: randomUUID(),
        key: randomUUID(),
        ordinal,
        prompt: `product shot ${ordinal % 20}`,
        promptId: `prompt-${ordinal % 20}`,
        referenceAssetIds: [],
        maskAssetId: undefined,
        imageCount: 1,
        seed: ordinal,
        setIndex: 0,
        variables: {},
        estimatedCostUsd: 0,
        createdAtMs: nowMs,
      }));
      await fleet.store.jobs.createJob({
        job: { id: jobId, mode: 'studio', groupId: group.id, name: 'bench', provider: 'local', model: 'local-transform', settings: { size: '1K', aspectRatio: '1:1' }, lane: 'online', priority: 'normal', execution: 'parallel', budgetUsd: undefined, estimatedCostUsd: 0, createdAtMs: nowMs },
        tasks,
      });
      await db.updateTable('tasks').set({ status: 'completed', finished_at_ms: nowMs }).where('job_id', '=', jobId).execute();
      await db.updateTable('jobs').set({ status: 'completed', finished_at_ms: nowMs }).where('id', '=', jobId).execute();
      return { groupId: group.id, jobId, tasks };
    };
    const current = await createCompletedJob('Bench downloads');
    const legacy = await createCompletedJob('Bench downloads, no stored CRC');
    const fileKeys = current.tasks.map((task) => `outputs/${current.jobId}/${task.id}-0.png`);
    await mkdir(path.dirname(blobFilePath(fleet.blobs, fileKeys[0]!)), { recursive: true });
    const crcs: number[] = [];
    const bytes = Buffer.alloc(imageBytes);
    for (const key of fileKeys) {
      randomFillSync(bytes);
      crcs.push(zlib.crc32(bytes));
      await writeFile(blobFilePath(fleet.blobs, key), bytes);
    }
    for (const { groupId, jobId, tasks, storesCrc } of [
      { ...current, storesCrc: true },
      { ...legacy, storesCrc: false },
    ]) {
      for (let start = 0; start < tasks.length; start += 500) {
        const rows = tasks.slice(start, start + 500).map((task, offset) => ({
          id: randomUUID(),
          task_id: task.id,
          job_id: jobId,
          group_id: groupId,
          idx: 0,
          file_key: fileKeys[start + offset]!,
          thumbnail_key: `thumbnails/${jobId}/${task.id}-0.webp`,
          media_type: 'image/png',
          width: 1024,
          height: 1024,
          byte_size: imageBytes,
          crc32: storesCrc ? crcs[start + offset]! : null,
          seed: task.seed ?? null,
          prompt: task.prompt,
          prompt_id: task.promptId,
          created_at_ms: nowMs,
        }));
        await db.insertInto('images').values(rows).execute();
      }
    }
    return { groupId: current.groupId, legacyGroupId: legacy.groupId };
  } finally {
    await fleet.stop();
  }
}

/** Reads every file once, one after another, as the ZIP stream does (1 MiB reads). */
async function plainRead(files: string[]): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  let bytes = 0;
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) bytes += (chunk as Buffer).length;
  }
  return { bytes, ms: performance.now() - started };
}

/** Downloads a URL, dropping the bytes; checks the length against Content-Length. */
function download(url: string): Promise<{ bytes: number; ms: number; contentLength: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { agent: false }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ bytes, ms: performance.now() - started, contentLength: Number(response.headers['content-length']) }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

interface DownloadServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts `download-server.ts` on the data directory in its own process (`nodeOptions` e.g. --cpu-prof). */
async function startDownloadServer(dataDir: string, nodeOptions: string[] = []): Promise<DownloadServer> {
  const server = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', path.join(repositoryRoot, 'bench/support/download-server.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
    server.once('exit', (code) => reject(new Error(`download server exited with ${code}`)));
  });
  return {
    pid: server.pid!,
    port,
    stop: async () => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux `clear_refs` 5), so each download's own peak can be read. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** One download under the server's CPU profiler (started and stopped around it): where the serving process's time goes. */
async function profileDownload(port: number, downloadPath: string, profileDirectory: string): Promise<CpuProfileSummary> {
  await mkdir(profileDirectory, { recursive: true });
  await fetch(`http://127.0.0.1:${port}/profile/start`);
  await download(`http://127.0.0.1:${port}${downloadPath}`);
  await fetch(`http://127.0.0.1:${port}/profile/stop?file=${encodeURIComponent(path.join(profileDirectory, 'download.cpuprofile'))}`);
  return summariseCpuProfileIn(profileDirectory);
}

/** CPU time a process has used (user + system), in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuTimeMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type Kind = 'zip' | 'zipLegacy' | 'raw' | 'rawStream';

async function main(): Promise<void> {
  const dataDir = await makeTempDataDir('zip');
  try {
    console.log(`zip-download: writing ${formatInteger(imageCount)} files of ${imageBytes / 1024} KiB…`);
    const { groupId, legacyGroupId } = await seed(dataDir.directory);
    const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir.directory, IMAGEFLEET_LOG_LEVEL: 'silent' }));
    const files = (await fleet.store.images.listForExport({ groupId })).map((image) => blobFilePath(fleet.blobs, image.fileKey));
    await fleet.stop();

    const server = await startDownloadServer(dataDir.directory, ['--expose-gc']);
    const pid = server.pid;
    const idleMiB = memoryOf(pid).rssMiB;
    const urls = { zip: `http://127.0.0.1:${server.port}/api/download/${groupId}`, zipLegacy: `http://127.0.0.1:${server.port}/api/download/${legacyGroupId}`, raw: `http://127.0.0.1:${server.port}/raw/${groupId}` };
    const plain: Array<{ bytes: number; ms: number }> = [];
    const measured: Record<Kind, Array<{ bytes: number; ms: number; contentLength: number; peakMiB: number; cpuMs: number }>> = { zip: [], zipLegacy: [], raw: [], rawStream: [] };
    const loads: number[] = [];
    const sampler = sampleMemory(pid);
    await plainRead(files);
    /** Collects the server's garbage, resets its peak and downloads: the peak is this download's own. */
    const measure = async (target: DownloadServer, url: string) => {
      await fetch(`http://127.0.0.1:${target.port}/gc`);
      resetPeak(target.pid);
      const cpuBeforeMs = cpuTimeMs(target.pid);
      const result = await download(url);
      return { ...result, peakMiB: memoryOf(target.pid).peakMiB, cpuMs: cpuTimeMs(target.pid) - cpuBeforeMs };
    };
    for (let round = 0; round < rounds; round += 1) {
      loads.push(loadavg()[0] ?? Number.NaN);
      plain.push(await plainRead(files));
      // Odd rounds start with the floor, so neither always follows the other.
      for (const kind of round % 2 === 0 ? (['zip', 'raw', 'zipLegacy'] as const) : (['raw', 'zip', 'zipLegacy'] as const)) measured[kind].push(await measure(server, urls[kind]));
    }
    const sampledPeakMiB = sampler.stop();
    const { peakMiB: processPeakMiB } = memoryOf(pid);
    const profileRoot = path.join(dataDir.directory, 'profiles');
    const zipProfile = await profileDownload(server.port, `/api/download/${groupId}`, path.join(profileRoot, 'zip'));
    const rawProfile = await profileDownload(server.port, `/raw/${groupId}`, path.join(profileRoot, 'raw'));
    await server.stop();
    // The plain-stream download leaves glibc holding its 1 MiB buffers, which would inflate later peaks: its own process.
    const streamServer = await startDownloadServer(dataDir.directory, ['--expose-gc']);
    const streamIdleMiB = memoryOf(streamServer.pid).rssMiB;
    for (let round = 0; round < 2; round += 1) measured.rawStream.push(await measure(streamServer, `http://127.0.0.1:${streamServer.port}/raw-stream/${groupId}`));
    await streamServer.stop();

    const mbps = (entry: { bytes: number; ms: number }) => entry.bytes / 1e6 / (entry.ms / 1000);
    const plainMbps = median(plain.map(mbps));
    const zipMbps = median(measured.zip.map(mbps));
    const rawMbps = median(measured.raw.map(mbps));
    const rawStreamMbps = median(measured.rawStream.map(mbps));
    const ratio = zipMbps / rawMbps;
    const zipLegacyMbps = median(measured.zipLegacy.map(mbps));
    const legacyRatio = zipLegacyMbps / rawMbps;
    const roundRatios = measured.zip.map((entry, index) => mbps(entry) / mbps(measured.raw[index]!));
    const zipPeakMiB = Math.max(...measured.zip.map((entry) => entry.peakMiB));
    const rawPeakMiB = Math.max(...measured.raw.map((entry) => entry.peakMiB));
    const rawStreamPeakMiB = Math.max(...measured.rawStream.map((entry) => entry.peakMiB)) - streamIdleMiB + idleMiB;
    const addedMiB = zipPeakMiB - idleMiB;
    const exact = [...measured.zip, ...measured.zipLegacy, ...measured.raw, ...measured.rawStream].every((entry) => entry.bytes === entry.contentLength);
    const totalGB = (measured.zip[0]?.bytes ?? 0) / 1e9;
    const busyPerGB = (summary: CpuProfileSummary) => summary.busyMs / totalGB;
    const cpuPerGB = (kind: Kind) => median(measured[kind].map((entry) => entry.cpuMs / (entry.bytes / 1e9)));
    const machine = `${cpus().length} cores, load ${loads.map((load) => formatDecimal(load, 2)).join(' / ')} at the rounds' starts`;
    const rows: ApiBenchResult['rows'] = [
      {
        benchmark: 'ZIP download',
        figure: `throughput ÷ floor (same files over HTTP without ZIP, same server, side by side), ${formatInteger(imageCount)} images (${formatDecimal(totalGB, 2)} GB)`,
        value: `${formatDecimal(ratio, 2)} (${formatInteger(zipMbps)} vs ${formatInteger(rawMbps)} MB/s; ${machine})`,
        goal: `≥ ${goalRatio}`,
        verdict: ratio >= goalRatio ? 'met' : 'missed',
      },
      {
        benchmark: 'ZIP download',
        figure: 'peak RSS of the serving process while sending a ZIP, above idle (floor: the same files without ZIP)',
        value: `+${formatInteger(addedMiB)} MiB (${formatInteger(zipPeakMiB)} MiB, idle ${formatInteger(idleMiB)}; floor +${formatInteger(rawPeakMiB - idleMiB)} MiB)`,
        goal: `≤ idle + ${goalAddedMiB} MiB`,
        verdict: addedMiB <= goalAddedMiB ? 'met' : 'missed',
      },
      {
        benchmark: 'ZIP download',
        figure: 'CPU time of the serving process per GB sent (all threads; less sensitive to the machine\'s load than MB/s), ZIP vs floor',
        value: `${formatInteger(cpuPerGB('zip'))} vs ${formatInteger(cpuPerGB('raw'))} ms/GB (${formatDecimal(cpuPerGB('zip') / cpuPerGB('raw'), 2)}×; plain stream ${formatInteger(cpuPerGB('rawStream'))})`,
        goal: 'side by side with the floor',
        verdict: 'info',
      },
      {
        benchmark: 'ZIP download',
        figure: 'images without a stored CRC-32 (written before migration 0014: checksummed while sending) ÷ floor',
        value: `${formatDecimal(legacyRatio, 2)} (${formatInteger(zipLegacyMbps)} MB/s; CPU ${formatInteger(cpuPerGB('zipLegacy'))} ms/GB)`,
        goal: 'side figure',
        verdict: 'info',
      },
      {
        benchmark: 'ZIP download',
        figure: 'side figures: plain file read in the client; plain `createReadStream` download',
        value: `${formatInteger(plainMbps)} MB/s; ${formatInteger(rawStreamMbps)} MB/s (+${formatInteger(rawStreamPeakMiB - idleMiB)} MiB RSS)`,
        goal: 'side figure',
        verdict: 'info',
      },
    ];
    const section = [
      '## 4. ZIP download',
      '### Method',
      [
        `- **Data:** one group holding one job of ${formatInteger(imageCount)} completed images, each a ${imageBytes / 1024} KiB file of random bytes (incompressible, like PNG/JPEG), in a fresh temp data directory; rows inserted directly with the CRC-32 the engine stores when it writes an output (migration 0014, docs/decisions/0049), files written before measuring (so every reader finds them in the page cache). A second group lists the same files with no stored CRC, as images written before migration 0014: their archive is checksummed while it is sent.`,
        '- **Server:** a separate Node process (`bench/support/download-server.ts`) with a fleet on that directory behind a plain `http` server that hands requests to `serveDownloadFromNode` — the exact code `imagefleet serve` runs for `/api/download/…` before Next.js (docs/decisions/0011). Its RSS is read from `/proc/<pid>/status`: idle right after start; each download\'s own peak by collecting garbage (`--expose-gc`), resetting VmHWM (`clear_refs` 5) before it and reading VmHWM after; its CPU time (user + system, all threads) from `/proc/<pid>/stat` before and after.',
        `- **Download:** \`GET /api/download/{groupId}\` over loopback with \`http.get\`, bytes counted and dropped, checked against \`Content-Length\`; the archive is ${formatInteger(imageCount + 1)} stored entries (images + manifest.csv).`,
        '- **Floor (the goal\'s):** the same files, concatenated without ZIP, sent by the same server process over HTTP (`/raw/{groupId}`), read the way the ZIP writer reads them (the blob port\'s `openReader` into four reused 512 KiB buffers): the difference is the archive\'s own cost.',
        '- **Side figures:** the same files read one after another in the benchmark process (`fs.createReadStream`, 1 MiB reads, no HTTP), and, after the rounds, twice streamed the plain Node way (`/raw-stream/{groupId}`: `fs.createReadStream`, 1 MiB reads, `write` + `drain`) by a server process of its own (glibc keeps the memory of its buffers, which would inflate the peaks measured after it).',
        `- **Rounds:** one untimed plain read, then ${rounds} rounds of plain read, ZIP and floor download (odd rounds starting with the floor), then the ZIP of the group without stored CRCs; medians. Load average (1 min) at each round's start: ${loads.map((load) => formatDecimal(load, 2)).join(', ')} on ${cpus().length} cores.`,
        '- **Profile:** after the rounds, one more ZIP download and one more floor download by the same server, each under its V8 CPU profiler (started and stopped around the download through `node:inspector`); self time by function, as a share of the main thread\'s busy (not idle) time.',
      ].join('\n'),
      '### Figures',
      table(
        ['Round', 'Load (1 min)', 'ZIP download', 'Floor (no ZIP)', 'ZIP ÷ floor', 'ZIP, no stored CRC ÷ floor', 'Server CPU ZIP / floor', 'Peak RSS ZIP / floor', 'Plain read (client)', 'Bytes = Content-Length'],
        measured.zip.map((entry, index) => [
          String(index + 1),
          formatDecimal(loads[index] ?? Number.NaN, 1),
          `${formatInteger(mbps(entry))} MB/s`,
          `${formatInteger(mbps(measured.raw[index]!))} MB/s`,
          formatDecimal(roundRatios[index]!, 2),
          formatDecimal(mbps(measured.zipLegacy[index]!) / mbps(measured.raw[index]!), 2),
          `${formatInteger(entry.cpuMs)} / ${formatInteger(measured.raw[index]!.cpuMs)} ms`,
          `${formatInteger(entry.peakMiB)} / ${formatInteger(measured.raw[index]!.peakMiB)} MiB`,
          `${formatInteger(mbps(plain[index]!))} MB/s`,
          [entry, measured.zipLegacy[index]!, measured.raw[index]!].every((result) => result.bytes === result.contentLength) ? 'yes' : '**no**',
        ]),
      ),
      `Median ZIP throughput **${formatDecimal(ratio, 2)}** of the floor (goal ≥ ${goalRatio}; ${formatInteger(zipMbps)} vs ${formatInteger(rawMbps)} MB/s; median of the rounds' own ratios ${formatDecimal(median(roundRatios), 2)}), ${formatDecimal(zipMbps / rawStreamMbps, 2)} of the plain-stream download and ${formatDecimal(zipMbps / plainMbps, 2)} of the plain read in the client. Serving process: ${formatInteger(idleMiB)} MiB idle (Node, tsx, SQLite, sharp and the fleet); while sending a ZIP it peaked at ${formatInteger(zipPeakMiB)} MiB, **+${formatInteger(addedMiB)} MiB** (goal ≤ +${goalAddedMiB}); the floor +${formatInteger(rawPeakMiB - idleMiB)} MiB, the plain-stream download (its own server process, two downloads) +${formatInteger(rawStreamPeakMiB - idleMiB)} MiB (whole run: VmHWM ${formatInteger(processPeakMiB)} MiB, highest 50 ms sample ${formatInteger(sampledPeakMiB)} MiB). ${exact ? 'Every download was exactly `Content-Length` bytes.' : '**A download differed from its Content-Length.**'}`,
      '### Profile',
      `One ZIP download (${formatDecimal(totalGB, 2)} GB): the serving process was busy ${formatInteger(zipProfile.busyMs)} ms of ${formatInteger(zipProfile.totalMs)} ms (${formatInteger(busyPerGB(zipProfile))} ms per GB); the floor's download ${formatInteger(rawProfile.busyMs)} ms of ${formatInteger(rawProfile.totalMs)} ms (${formatInteger(busyPerGB(rawProfile))} ms per GB). ZIP:`,
      cpuProfileTable(zipProfile),
      'Floor:',
      cpuProfileTable(rawProfile),
      zipProfileReading,
    ].join('\n\n');
    await reportApiBenchResult({ scenario: 'zip-download', rows, section });
  } finally {
    await dataDir.remove();
  }
}

await main();
