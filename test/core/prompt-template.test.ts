import { describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { compilePromptTemplate, parsePromptTemplate, renderPromptTemplate, templatePlaceholders } from '../../src/core/prompt-template.js';

function invalidInputFrom(action: () => unknown): ImagefleetError {
  try {
    action();
  } catch (error) {
    if (isImagefleetError(error) && error.code === 'invalid_input') return error;
    throw error;
  }
  throw new Error('expected invalid_input');
}

describe('renderPromptTemplate', () => {
  it('fills every placeholder, including repeats', () => {
    expect(renderPromptTemplate('{prompt}, {style} style, {style} light', { prompt: 'a chair', style: 'noir' })).toBe('a chair, noir style, noir light');
  });

  it('leaves text without placeholders as it is', () => {
    expect(renderPromptTemplate('plain text: no braces', {})).toBe('plain text: no braces');
  });

  it('turns {{ and }} into literal braces', () => {
    expect(renderPromptTemplate('{{prompt}}', { prompt: 'x' })).toBe('{prompt}');
    expect(renderPromptTemplate('{{{prompt}}}', { prompt: 'cat' })).toBe('{cat}');
    expect(renderPromptTemplate('json {{"a": 1}}', {})).toBe('json {"a": 1}');
  });

  it('keeps a lone closing brace as text', () => {
    expect(renderPromptTemplate('smile :} {prompt}', { prompt: 'now' })).toBe('smile :} now');
  });

  it('allows spaces inside the braces', () => {
    expect(renderPromptTemplate('{ prompt }', { prompt: 'p' })).toBe('p');
  });

  it('refuses a missing variable, naming the placeholder and the field', () => {
    const error = invalidInputFrom(() => renderPromptTemplate('{prompt} by {artist} in {era}', { prompt: 'x', era: '1920s' }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('promptTemplate');
    expect(error.issues[0]?.message).toContain('{artist}');
    expect(error.issues[0]?.message).not.toContain('no value for {era}');
  });

  it('does not take inherited object members as variables', () => {
    const error = invalidInputFrom(() => renderPromptTemplate('{constructor}', {}));
    expect(error.issues[0]?.message).toContain('{constructor}');
  });

  it('uses the given path in errors', () => {
    const error = invalidInputFrom(() => renderPromptTemplate('{x}', {}, 'prompts.3.text'));
    expect(error.issues[0]?.path).toBe('prompts.3.text');
  });

  it('refuses an unclosed brace and a non-name placeholder', () => {
    expect(invalidInputFrom(() => renderPromptTemplate('a {prompt', { prompt: 'x' })).issues[0]?.message).toContain('unclosed');
    expect(invalidInputFrom(() => renderPromptTemplate('a {} b', {})).issues[0]?.message).toContain('"{}"');
    expect(invalidInputFrom(() => renderPromptTemplate('a {two words} b', {})).issues[0]?.message).toContain('{two words}');
  });
});

describe('parsePromptTemplate and templatePlaceholders', () => {
  it('splits text and placeholders', () => {
    expect(parsePromptTemplate('a {b} c')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'placeholder', name: 'b' },
      { kind: 'text', text: ' c' },
    ]);
  });

  it('lists distinct placeholder names in first-use order, ignoring escaped braces', () => {
    expect(templatePlaceholders('{style} {prompt} {style} {{literal}}')).toEqual(['style', 'prompt']);
  });
});

describe('compilePromptTemplate', () => {
  it('renders many variable sets from one parse', () => {
    const render = compilePromptTemplate('{prompt} / {combo}');
    expect(render({ prompt: 'a', combo: '1' })).toBe('a / 1');
    expect(render({ prompt: 'b', combo: '2' })).toBe('b / 2');
  });
});
