/**
 * The built-in workflow templates (API format, see workflow-template.ts for the placeholders):
 * txt2img, img2img (the reference scaled and cropped to the output size, then denoised by the
 * strength) and inpaint (the same, with the mask as the latent noise mask: only the white area
 * changes). They use only ComfyUI's core nodes, so they run on any install with a checkpoint.
 */
import type { Workflow } from './workflow-template.js';

const checkpointAndPrompts: Workflow = {
  checkpoint: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '{{checkpoint}}' } },
  positive: { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['checkpoint', 1] } },
  negative: { class_type: 'CLIPTextEncode', inputs: { text: '{{negative_prompt}}', clip: ['checkpoint', 1] } },
};

function sampleAndSave(latent: [string, number]): Workflow {
  return {
    sampler: {
      class_type: 'KSampler',
      inputs: {
        model: ['checkpoint', 0],
        positive: ['positive', 0],
        negative: ['negative', 0],
        latent_image: latent,
        seed: '{{seed}}',
        steps: '{{steps}}',
        cfg: '{{cfg}}',
        sampler_name: '{{sampler}}',
        scheduler: '{{scheduler}}',
        denoise: '{{denoise}}',
      },
    },
    decode: { class_type: 'VAEDecode', inputs: { samples: ['sampler', 0], vae: ['checkpoint', 2] } },
    save: { class_type: 'SaveImage', inputs: { images: ['decode', 0], filename_prefix: 'imagefleet' } },
  };
}

const loadScaledReference: Workflow = {
  reference: { class_type: 'LoadImage', inputs: { image: '{{reference_image}}' } },
  scaled: { class_type: 'ImageScale', inputs: { image: ['reference', 0], upscale_method: 'lanczos', width: '{{width}}', height: '{{height}}', crop: 'center' } },
  encoded: { class_type: 'VAEEncode', inputs: { pixels: ['scaled', 0], vae: ['checkpoint', 2] } },
};

export const defaultTxt2imgWorkflow: Workflow = {
  ...checkpointAndPrompts,
  latent: { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
  ...sampleAndSave(['latent', 0]),
};

export const defaultImg2imgWorkflow: Workflow = {
  ...checkpointAndPrompts,
  ...loadScaledReference,
  ...sampleAndSave(['encoded', 0]),
};

export const defaultInpaintWorkflow: Workflow = {
  ...checkpointAndPrompts,
  ...loadScaledReference,
  mask: { class_type: 'LoadImageMask', inputs: { image: '{{mask_image}}', channel: 'red' } },
  // The mask is scaled like the reference so they stay aligned.
  maskAsImage: { class_type: 'MaskToImage', inputs: { mask: ['mask', 0] } },
  maskScaled: { class_type: 'ImageScale', inputs: { image: ['maskAsImage', 0], upscale_method: 'nearest-exact', width: '{{width}}', height: '{{height}}', crop: 'center' } },
  maskBack: { class_type: 'ImageToMask', inputs: { image: ['maskScaled', 0], channel: 'red' } },
  masked: { class_type: 'SetLatentNoiseMask', inputs: { samples: ['encoded', 0], mask: ['maskBack', 0] } },
  ...sampleAndSave(['masked', 0]),
};
