/** Reads `COMFYUI_WORKFLOW_PATH`: the user's own API-format workflow with imagefleet placeholders. */
import { readFile } from 'node:fs/promises';
import { ImagefleetError } from '../../core/errors.js';
import { parseWorkflowTemplate, type WorkflowTemplate } from './workflow-template.js';

/** The template in the file; `config_invalid` naming the variable when it cannot be read or used. */
export async function loadWorkflowFile(filePath: string): Promise<WorkflowTemplate> {
  const source = `COMFYUI_WORKFLOW_PATH (${filePath})`;
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ImagefleetError('config_invalid', `Cannot read ${source}: ${code === 'ENOENT' ? 'no such file' : code}.`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ImagefleetError('config_invalid', `${source} is not JSON (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  return parseWorkflowTemplate(raw, source);
}
