/**
 * A ComfyUI workflow template: an API-format workflow ("Export (API)": `{ "<node id>":
 * { "class_type", "inputs" } }`) whose input values may be imagefleet placeholders. A value that is
 * exactly a placeholder (`"{{seed}}"`) is replaced by the typed value (a number for numbers); a
 * placeholder inside longer text (`"photo of {{prompt}}"`) is replaced by its text.
 *
 * Placeholders: `{{prompt}}`, `{{negative_prompt}}`, `{{seed}}`, `{{width}}`, `{{height}}`,
 * `{{steps}}`, `{{cfg}}`, `{{sampler}}`, `{{scheduler}}`, `{{denoise}}`, `{{checkpoint}}` (the
 * node holding it is where LoRAs are chained: outputs 0 = MODEL, 1 = CLIP, as CheckpointLoaderSimple),
 * `{{reference_image}}` (file name of the uploaded reference, for a LoadImage node),
 * `{{mask_image}}` (file name of the uploaded mask, for a LoadImageMask node, white = repaint).
 * `{{prompt}}` and `{{seed}}` are required: without a seed an image could not be made again.
 */
import { z } from 'zod';
import { ImagefleetError } from '../../core/errors.js';

export const workflowPlaceholders = [
  'prompt',
  'negative_prompt',
  'seed',
  'width',
  'height',
  'steps',
  'cfg',
  'sampler',
  'scheduler',
  'denoise',
  'checkpoint',
  'reference_image',
  'mask_image',
] as const;
export type WorkflowPlaceholder = (typeof workflowPlaceholders)[number];

export type PlaceholderValues = Partial<Record<WorkflowPlaceholder, string | number>>;

const requiredPlaceholders: readonly WorkflowPlaceholder[] = ['prompt', 'seed'];

/** One node of an API-format workflow. */
export interface WorkflowNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: unknown;
}

export type Workflow = Record<string, WorkflowNode>;

const workflowSchema = z.record(
  z.string(),
  z.looseObject({
    class_type: z.string({ error: 'every node needs a "class_type"' }),
    inputs: z.record(z.string(), z.unknown(), { error: 'every node needs an "inputs" object' }),
  }),
  { error: 'must be an object of nodes by id' },
);

export interface WorkflowTemplate {
  /** Where it came from, for messages ("the built-in txt2img template", a file path). */
  source: string;
  workflow: Workflow;
  /** Placeholders it uses. */
  placeholders: ReadonlySet<WorkflowPlaceholder>;
  /** Id of the node whose `ckpt_name` is `{{checkpoint}}`: LoRAs are chained after it. */
  checkpointNodeId: string | undefined;
}

const placeholderPattern = /\{\{\s*([a-z_]+)\s*\}\}/g;

/**
 * Checks a parsed workflow and finds its placeholders. Throws `config_invalid` naming the source
 * for a workflow in the UI format (not "Export (API)"), an unknown placeholder, or a missing
 * `{{prompt}}` / `{{seed}}`.
 */
export function parseWorkflowTemplate(raw: unknown, source: string): WorkflowTemplate {
  if (typeof raw === 'object' && raw !== null && 'nodes' in raw && 'links' in raw) {
    throw new ImagefleetError('config_invalid', `${source} is a ComfyUI workflow in the UI format; export it with "Export (API)" (enable the dev mode options in ComfyUI's settings if the menu lacks it).`);
  }
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ImagefleetError('config_invalid', `${source} is not an API-format ComfyUI workflow: ${issue ? `${issue.path.join('.') || 'the file'} ${issue.message}` : 'unreadable'}.`);
  }
  const workflow = parsed.data as Workflow;
  const placeholders = new Set<WorkflowPlaceholder>();
  const unknown = new Set<string>();
  let checkpointNodeId: string | undefined;
  for (const [nodeId, node] of Object.entries(workflow)) {
    for (const [inputName, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string') continue;
      for (const match of value.matchAll(placeholderPattern)) {
        const name = match[1] ?? '';
        if ((workflowPlaceholders as readonly string[]).includes(name)) placeholders.add(name as WorkflowPlaceholder);
        else unknown.add(`{{${name}}} (node ${nodeId}, input ${inputName})`);
      }
      if (value.trim() === '{{checkpoint}}') checkpointNodeId = nodeId;
    }
  }
  const known = workflowPlaceholders.map((name) => `{{${name}}}`).join(', ');
  if (unknown.size > 0) throw new ImagefleetError('config_invalid', `${source} uses unknown placeholders: ${[...unknown].join(', ')}. Known placeholders: ${known}.`);
  const missing = requiredPlaceholders.filter((name) => !placeholders.has(name));
  if (missing.length > 0) {
    throw new ImagefleetError('config_invalid', `${source} lacks ${missing.map((name) => `{{${name}}}`).join(' and ')}: put {{prompt}} in the positive CLIPTextEncode text and {{seed}} in the sampler's seed, so every image can be made again from its seed.`);
  }
  return { source, workflow, placeholders, checkpointNodeId };
}

/** A copy of the template's workflow with every placeholder replaced. A placeholder without a value is an error (a bug). */
export function fillWorkflow(template: WorkflowTemplate, values: PlaceholderValues): Workflow {
  const filled: Workflow = {};
  for (const [nodeId, node] of Object.entries(template.workflow)) {
    const inputs: Record<string, unknown> = {};
    for (const [inputName, value] of Object.entries(node.inputs)) inputs[inputName] = typeof value === 'string' ? fillText(value, values, template.source) : structuredClone(value);
    filled[nodeId] = { ...structuredClone(node), inputs };
  }
  return filled;
}

function fillText(text: string, values: PlaceholderValues, source: string): string | number {
  const valueOf = (name: string): string | number => {
    const value = values[name as WorkflowPlaceholder];
    if (value === undefined) throw new ImagefleetError('internal', `No value for {{${name}}} in ${source}.`);
    return value;
  };
  const whole = /^\{\{\s*([a-z_]+)\s*\}\}$/.exec(text.trim());
  if (whole) return valueOf(whole[1] ?? '');
  return text.replace(placeholderPattern, (_match, name: string) => String(valueOf(name)));
}

/**
 * Chains one LoraLoader per LoRA after the checkpoint node and points every consumer of its MODEL
 * (output 0) and CLIP (output 1) at the last one.
 */
export function chainLoras(workflow: Workflow, checkpointNodeId: string, loras: ReadonlyArray<{ name: string; weight: number }>): Workflow {
  if (loras.length === 0) return workflow;
  const chained: Workflow = Object.fromEntries(Object.entries(workflow).map(([nodeId, node]) => [nodeId, { ...node, inputs: { ...node.inputs } }]));
  let previous = checkpointNodeId;
  for (const [index, lora] of loras.entries()) {
    const nodeId = `imagefleet_lora_${index}`;
    chained[nodeId] = {
      class_type: 'LoraLoader',
      inputs: { model: [previous, 0], clip: [previous, 1], lora_name: lora.name, strength_model: lora.weight, strength_clip: lora.weight },
    };
    previous = nodeId;
  }
  const isLoraNode = (nodeId: string) => nodeId.startsWith('imagefleet_lora_');
  for (const [nodeId, node] of Object.entries(chained)) {
    if (isLoraNode(nodeId)) continue;
    for (const [inputName, value] of Object.entries(node.inputs)) {
      if (Array.isArray(value) && value.length === 2 && value[0] === checkpointNodeId && (value[1] === 0 || value[1] === 1)) {
        node.inputs[inputName] = [previous, value[1]];
      }
    }
  }
  return chained;
}
