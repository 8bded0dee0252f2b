/** A folder of results (Midjourney folders, InvokeAI boards). */
export interface Group {
  id: string;
  name: string;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Every job lands in a group; jobs submitted without one go here. */
export const defaultGroupName = 'Default';
