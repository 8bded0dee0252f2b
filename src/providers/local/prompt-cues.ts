/**
 * Prompt words the local provider understands. It is not a language model: it only looks for a few
 * plain words and nudges its image operations toward them, so a user trying "black and white" or
 * "warm" sees the prompt matter.
 */
export interface PromptCues {
  warm: boolean;
  cold: boolean;
  vintage: boolean;
  monochrome: boolean;
  bright: boolean;
  dark: boolean;
  mirror: boolean;
  upsideDown: boolean;
  rotate: boolean;
  zoom: boolean;
  blur: boolean;
  sharpen: boolean;
  grain: boolean;
  vignette: boolean;
  vivid: boolean;
  muted: boolean;
  /** Hue angles in degrees (0 = red) named by colour words, in prompt order; used for tints and procedural palettes. */
  colourHuesDegrees: number[];
}

const cuePatterns: Record<Exclude<keyof PromptCues, 'colourHuesDegrees'>, RegExp> = {
  warm: /\b(warm|warmer|golden|sunny|cozy|cosy|summer|sunset)\b/,
  cold: /\b(cold|colder|cool|cooler|icy|winter|frozen|frosty)\b/,
  vintage: /\b(vintage|retro|old|sepia|antique|nostalgic)\b/,
  monochrome: /\b(black and white|black & white|b&w|b\/w|monochrome|greyscale|grayscale|noir)\b/,
  bright: /\b(bright|brighter|light|airy|sunlit|high key)\b/,
  dark: /\b(dark|darker|moody|night|gloomy|low key|shadowy)\b/,
  mirror: /\b(mirror|mirrored|flip|flipped|reflected)\b/,
  upsideDown: /\b(upside down|upside-down|inverted)\b/,
  rotate: /\b(rotate|rotated|sideways|turned)\b/,
  zoom: /\b(zoom|zoomed|close up|close-up|closeup|macro|detail|crop|cropped)\b/,
  blur: /\b(blur|blurry|blurred|soft|dreamy|hazy|misty|foggy|bokeh)\b/,
  sharpen: /\b(sharp|sharpen|sharper|crisp|detailed|hdr)\b/,
  grain: /\b(grain|grainy|film|noise|noisy|analog|analogue)\b/,
  vignette: /\b(vignette|vignetted|spotlight|tunnel)\b/,
  vivid: /\b(vivid|vibrant|saturated|colorful|colourful|punchy|neon)\b/,
  muted: /\b(muted|faded|washed out|pastel|desaturated|dull)\b/,
};

/** Colour words and the hue (degrees on the colour wheel) each stands for. */
const colourHueByWord: Record<string, number> = {
  red: 0,
  crimson: 348,
  pink: 330,
  magenta: 300,
  purple: 275,
  violet: 270,
  blue: 220,
  navy: 230,
  ocean: 200,
  sky: 205,
  cyan: 185,
  teal: 175,
  turquoise: 170,
  green: 120,
  forest: 130,
  lime: 90,
  olive: 70,
  yellow: 55,
  gold: 45,
  golden: 45,
  orange: 30,
  amber: 38,
  brown: 25,
  sunset: 20,
  autumn: 28,
};

/** Finds the cues in a prompt (case-insensitive, whole words only). */
export function parsePromptCues(prompt: string): PromptCues {
  const text = prompt.toLowerCase();
  const colourHuesDegrees: number[] = [];
  for (const word of text.match(/[a-z]+/g) ?? []) {
    const hue = colourHueByWord[word];
    if (hue !== undefined) colourHuesDegrees.push(hue);
  }
  return {
    warm: cuePatterns.warm.test(text),
    cold: cuePatterns.cold.test(text),
    vintage: cuePatterns.vintage.test(text),
    monochrome: cuePatterns.monochrome.test(text),
    bright: cuePatterns.bright.test(text),
    dark: cuePatterns.dark.test(text),
    mirror: cuePatterns.mirror.test(text),
    upsideDown: cuePatterns.upsideDown.test(text),
    rotate: cuePatterns.rotate.test(text),
    zoom: cuePatterns.zoom.test(text),
    blur: cuePatterns.blur.test(text),
    sharpen: cuePatterns.sharpen.test(text),
    grain: cuePatterns.grain.test(text),
    vignette: cuePatterns.vignette.test(text),
    vivid: cuePatterns.vivid.test(text),
    muted: cuePatterns.muted.test(text),
    colourHuesDegrees,
  };
}
