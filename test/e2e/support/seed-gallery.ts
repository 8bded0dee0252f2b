/**
 * Seeds a data directory with a big gallery before `imagefleet serve` starts on it: one completed
 * job whose tasks and image rows are written straight into SQLite in one transaction (10,000 rows
 * take well under a second; running them through the local provider would take minutes). The
 * images share a handful of real PNG files and WebP thumbnails, which is all a gallery test needs.
 */
import { blobFilePath } from '../../support/blob-file-path.js';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../../../src/config/load-config.js';
import { createFleet } from '../../../src/fleet/create-fleet.js';
import { parseSubmitBody, submitApiJob } from '../../../src/server/job-submission.js';
import { sqliteDatabaseOf } from '../../support/sqlite-database-of.js';

export interface SeededGallery {
  groupId: string;
  jobId: string;
  imageCount: number;
}

/** Distinct pictures the seeded images cycle through. */
const distinctPictures = 12;

export async function seedGallery(dataDir: string, imageCount: number, groupName = 'Big gallery'): Promise<SeededGallery> {
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir }, { cwd: path.dirname(dataDir) }));
  try {
    const group = await fleet.store.groups.createGroup(groupName);
    const reference = await fleet.importAsset(await picture(0, 64), 'reference.png');
    // A real job and real tasks (the planner's rows), one image per task.
    const tasksWanted = imageCount;
    const submitted = await submitApiJob(fleet, parseSubmitBody({
      mode: 'studio',
      provider: 'local',
      groupId: group.id,
      name: 'Seeded gallery',
      batchSize: 1,
      settings: { size: '512' },
      items: Array.from({ length: Math.ceil(tasksWanted / 1000) }, (_, index) => ({ referenceIds: [reference.id], prompt: `seeded picture ${index}`, count: Math.min(1000, tasksWanted - index * 1000), seed: index * 1000 })),
    }), { dryRun: false });
    const job = submitted.job;
    if (!job) throw new Error('the seed job was not created');

    const files: Array<{ fileKey: string; thumbnailKey: string; byteSize: number }> = [];
    for (let index = 0; index < distinctPictures; index += 1) {
      const bytes = await picture(index, 512);
      const fileKey = `outputs/seed/${index}.png`;
      const thumbnailKey = `thumbnails/seed/${index}.webp`;
      await writeBlob(blobFilePath(fleet.blobs, fileKey), bytes);
      await writeBlob(blobFilePath(fleet.blobs, thumbnailKey), await sharp(bytes).resize(256, 256).webp({ quality: 70 }).toBuffer());
      files.push({ fileKey, thumbnailKey, byteSize: bytes.length });
    }

    const { sqlite } = sqliteDatabaseOf(fleet);
    const tasks = sqlite.prepare('SELECT id, prompt, prompt_id, seed FROM tasks WHERE job_id = ? ORDER BY ordinal').all(job.id) as Array<{ id: string; prompt: string; prompt_id: string; seed: number | null }>;
    const startMs = Date.now() - tasks.length * 10;
    const insertImage = sqlite.prepare(
      `INSERT INTO images (id, task_id, job_id, group_id, idx, file_key, thumbnail_key, media_type, width, height, byte_size, seed, prompt, prompt_id, favorite, discarded, created_at_ms)
       VALUES (?, ?, ?, ?, 0, ?, ?, 'image/png', 512, 512, ?, ?, ?, ?, 0, 0, ?)`,
    );
    const completeTask = sqlite.prepare(`UPDATE tasks SET status = 'completed', cost_usd = 0, finished_at_ms = ?, updated_at_ms = ? WHERE id = ?`);
    sqlite.transaction(() => {
      tasks.forEach((task, index) => {
        const file = files[index % files.length]!;
        const createdAtMs = startMs + index * 10;
        insertImage.run(randomUUID(), task.id, job.id, group.id, file.fileKey, file.thumbnailKey, file.byteSize, task.seed, task.prompt, task.prompt_id, createdAtMs);
        completeTask.run(createdAtMs, createdAtMs, task.id);
      });
      const finishedAtMs = Date.now();
      sqlite.prepare(`UPDATE jobs SET status = 'completed', finished_at_ms = ?, updated_at_ms = ? WHERE id = ?`).run(finishedAtMs, finishedAtMs, job.id);
    })();
    return { groupId: group.id, jobId: job.id, imageCount: tasks.length };
  } finally {
    await fleet.stop();
  }
}

/** A distinct small picture (the index picks its colours). */
export function picture(index: number, sidePx: number): Promise<Buffer> {
  const hue = (index * 47) % 360;
  return sharp({ create: { width: sidePx, height: sidePx, channels: 3, background: { r: (hue * 3) % 256, g: (index * 71) % 256, b: (index * 29 + 90) % 256 } } })
    .composite([{ input: Buffer.from(`<svg width="${sidePx}" height="${sidePx}"><circle cx="${sidePx / 2}" cy="${sidePx / 2}" r="${sidePx / 3}" fill="white" fill-opacity="0.7"/><text x="8" y="${sidePx - 8}" font-size="${sidePx / 6}" fill="black">${index}</text></svg>`) }])
    .png()
    .toBuffer();
}

async function writeBlob(filePath: string, bytes: Buffer): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true });
  await writeFile(filePath, bytes);
}
