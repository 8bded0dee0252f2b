/** An image slot of the feed: a finished image, or the placeholder of a call still running. */
import type { ResultImage, TaskItem, TaskList } from '../../_lib/api-types.js';

export type FeedJobInfo = TaskList['job'];

export interface FeedSlot {
  key: string;
  task: TaskItem;
  /** Position within its task's output. */
  index: number;
  /** The planned seed of this image (the task's seed + index), when the model has seeds. */
  plannedSeed: number | null;
  image: ResultImage | undefined;
}

/** A set of the feed: the slots of the tasks sharing a set index within one prompt. */
export interface FeedSet {
  setIndex: number;
  slots: FeedSlot[];
}

/** One prompt of one job: its sets in order. */
export interface FeedRun {
  key: string;
  job: FeedJobInfo;
  promptId: string;
  prompt: string;
  referenceIds: string[];
  sets: FeedSet[];
}

const seedCount = 4_294_967_296;

/** Groups a job's tasks into runs of one prompt and its references (plan order) and sets, pairing finished images with their slots. */
export function feedRuns(list: TaskList, images: readonly ResultImage[]): FeedRun[] {
  const imagesById = new Map(images.map((image) => [image.id, image]));
  const runs = new Map<string, FeedRun>();
  for (const task of list.items) {
    // A run is one prompt with its references: an Automatic job's one prompt over 150 photos is 150 runs, one per photo.
    const runKey = `${task.promptId}|${task.referenceIds.join(',')}`;
    let run = runs.get(runKey);
    if (!run) {
      run = { key: `${list.jobId}:${runKey}`, job: list.job, promptId: task.promptId, prompt: task.prompt, referenceIds: task.referenceIds, sets: [] };
      runs.set(runKey, run);
    }
    let set = run.sets.find((candidate) => candidate.setIndex === task.setIndex);
    if (!set) {
      set = { setIndex: task.setIndex, slots: [] };
      run.sets.push(set);
    }
    for (let index = 0; index < task.imageCount; index += 1) {
      const imageId = task.imageIds[index];
      set.slots.push({
        key: `${task.id}:${index}`,
        task,
        index,
        plannedSeed: task.seed === null ? null : (task.seed + index) % seedCount,
        image: imageId === undefined ? undefined : imagesById.get(imageId),
      });
    }
  }
  return [...runs.values()];
}

/** CSS aspect ratio (`3 / 4`) of a `W:H` setting. */
export function cssAspectRatio(aspectRatio: string): string {
  const match = /^(\d+):(\d+)$/.exec(aspectRatio);
  return match ? `${match[1]} / ${match[2]}` : '1 / 1';
}
