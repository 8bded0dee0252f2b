/**
 * Prompt templates: `{name}` placeholders filled from variables (the CLI's `{prompt}` plus the
 * variables captured from combo and prompt paths). `{{` and `}}` stand for literal braces so
 * prompts can still contain them.
 */
import { invalidInput } from './errors.js';

/** A piece of a parsed template: literal text or a placeholder to fill. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string };

/** Placeholder names: identifier-like, so that stray braces in prose are caught instead of guessed at. */
const placeholderNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Splits a template into literal text and placeholders. Throws `invalid_input` at `path` for an
 * unclosed `{` or a placeholder whose name is empty or not identifier-like. A lone `}` is kept as
 * text because it cannot be mistaken for a placeholder.
 */
export function parsePromptTemplate(template: string, path = 'promptTemplate'): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let position = 0;
  while (position < template.length) {
    const character = template[position];
    const following = template[position + 1];
    if (character === '{' && following === '{') {
      text += '{';
      position += 2;
    } else if (character === '}' && following === '}') {
      text += '}';
      position += 2;
    } else if (character === '{') {
      const closing = template.indexOf('}', position + 1);
      if (closing < 0) {
        throw invalidInput([{ path, message: `unclosed "{" at character ${position}; write "{{" for a literal brace` }], 'Invalid prompt template');
      }
      const name = template.slice(position + 1, closing).trim();
      if (!placeholderNamePattern.test(name)) {
        throw invalidInput(
          [{ path, message: `"${template.slice(position, closing + 1)}" is not a placeholder name (letters, digits, _ . -); write "{{" for a literal brace` }],
          'Invalid prompt template',
        );
      }
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'placeholder', name });
      position = closing + 1;
    } else {
      text += character;
      position += 1;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

/** The distinct placeholder names of a template, in order of first use. */
export function templatePlaceholders(template: string, path = 'promptTemplate'): string[] {
  const names = new Set<string>();
  for (const part of parsePromptTemplate(template, path)) if (part.kind === 'placeholder') names.add(part.name);
  return [...names];
}

/**
 * Parses a template once and returns a renderer, for planners that fill the same template
 * thousands of times. The renderer throws `invalid_input` at `path` naming any placeholder that
 * has no variable.
 */
export function compilePromptTemplate(template: string, path = 'promptTemplate'): (variables: Readonly<Record<string, string>>) => string {
  const parts = parsePromptTemplate(template, path);
  return (variables) => {
    let rendered = '';
    const missing: string[] = [];
    for (const part of parts) {
      if (part.kind === 'text') rendered += part.text;
      else if (Object.hasOwn(variables, part.name)) rendered += variables[part.name];
      else if (!missing.includes(part.name)) missing.push(part.name);
    }
    if (missing.length > 0) {
      const available = Object.keys(variables).map((name) => `{${name}}`).join(', ') || 'none';
      const placeholders = missing.map((name) => `{${name}}`).join(', ');
      throw invalidInput([{ path, message: `no value for ${placeholders}; available: ${available}` }], 'Invalid prompt template');
    }
    return rendered;
  };
}

/** Fills `{name}` placeholders from `variables`; `{{`/`}}` give literal braces; a missing variable is `invalid_input`. */
export function renderPromptTemplate(template: string, variables: Readonly<Record<string, string>>, path = 'promptTemplate'): string {
  return compilePromptTemplate(template, path)(variables);
}
