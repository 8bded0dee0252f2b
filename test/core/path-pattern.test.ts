import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { compareNatural, matchSegment, mergeCaptures, parsePathPattern, shortestUniqueNames } from '../../src/core/path-pattern.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isImagefleetError(error)) {
      expect(error.code).toBe('invalid_input');
      return error.message;
    }
    throw error;
  }
  throw new Error('expected an error');
}

describe('parsePathPattern', () => {
  it('splits the issue example into literal and capturing segments', () => {
    const pattern = parsePathPattern('Combos/{wardrobe}_combo/{ui_style}_UI_Combos/{combo}/', '--refs');
    expect(pattern.absolute).toBe(false);
    expect(pattern.directoriesOnly).toBe(true);
    expect(pattern.names).toEqual(['wardrobe', 'ui_style', 'combo']);
    expect(pattern.segments.map((segment) => segment.kind)).toEqual(['literal', 'match', 'match', 'match']);
  });

  it('keeps absolute paths and drops empty and "." segments', () => {
    const pattern = parsePathPattern('/data//./refs/{name}.png');
    expect(pattern.absolute).toBe(true);
    expect(pattern.directoriesOnly).toBe(false);
    expect(pattern.segments.map((segment) => (segment.kind === 'literal' ? segment.text : segment.source))).toEqual(['data', 'refs', '{name}.png']);
  });

  it('treats {{ and }} as literal braces', () => {
    const pattern = parsePathPattern('refs/{{raw}}');
    expect(pattern.segments[1]).toEqual({ kind: 'literal', text: '{raw}' });
  });

  it('refuses bad patterns with one sentence naming the flag', () => {
    expect(messageOf(() => parsePathPattern('', '--refs'))).toMatch(/^The --refs pattern "" is empty/);
    expect(messageOf(() => parsePathPattern('Combos/{combo', '--refs'))).toContain('unclosed "{"');
    expect(messageOf(() => parsePathPattern('Combos/{1st}/', '--refs'))).toContain('not a capture name');
    expect(messageOf(() => parsePathPattern('Combos/{a}{b}/', '--refs'))).toContain('two captures in a row');
    expect(messageOf(() => parsePathPattern('Combos/{a}/../x', '--prompts'))).toContain('".." after a {name}');
    expect(messageOf(() => parsePathPattern('./', '--refs'))).toContain('names no folder');
  });
});

describe('matchSegment', () => {
  const segmentOf = (source: string) => parsePathPattern(source).segments[0]!;

  it('captures variables from a name', () => {
    expect(matchSegment(segmentOf('{wardrobe}_combo'), 'summer_combo')).toEqual({ wardrobe: 'summer' });
    expect(matchSegment(segmentOf('{ui_style}_UI_Combos'), 'dark_UI_Combos')).toEqual({ ui_style: 'dark' });
    expect(matchSegment(segmentOf('{wardrobe}_combo'), 'summer_combos')).toBeUndefined();
    expect(matchSegment(segmentOf('{wardrobe}_combo'), '_combo')).toBeUndefined();
  });

  it('splits at the first separator when captures are ambiguous', () => {
    expect(matchSegment(segmentOf('{a}_{b}'), 'x_y_z')).toEqual({ a: 'x', b: 'y_z' });
  });

  it('supports * wildcards and literal regexp characters', () => {
    expect(matchSegment(segmentOf('*.png'), 'a.b.png')).toEqual({});
    expect(matchSegment(segmentOf('*.png'), 'apng')).toBeUndefined();
    expect(matchSegment(segmentOf('(v1)+{n}'), '(v1)+7')).toEqual({ n: '7' });
  });

  it('requires a repeated name to capture the same text', () => {
    expect(matchSegment(segmentOf('{x}-{x}'), 'a-a')).toEqual({ x: 'a' });
    expect(matchSegment(segmentOf('{x}-{x}'), 'a-b')).toBeUndefined();
  });

  it('skips hidden names unless the segment starts with a dot', () => {
    expect(matchSegment(segmentOf('{name}'), '.git')).toBeUndefined();
    expect(matchSegment(segmentOf('.{name}'), '.cache')).toEqual({ name: 'cache' });
  });

  it('matches names with newlines and non-ASCII text', () => {
    expect(matchSegment(segmentOf('{name}'), 'a\nb')).toEqual({ name: 'a\nb' });
    expect(matchSegment(segmentOf('{name}_été'), 'robe_été')).toEqual({ name: 'robe' });
  });

  it('merges captures across segments, refusing conflicts', () => {
    expect(mergeCaptures({ a: '1' }, { b: '2' })).toEqual({ a: '1', b: '2' });
    expect(mergeCaptures({ a: '1' }, { a: '1' })).toEqual({ a: '1' });
    expect(mergeCaptures({ a: '1' }, { a: '2' })).toBeUndefined();
  });
});

describe('shortestUniqueNames', () => {
  it('uses the last segment when it is unique, more when it is not', () => {
    expect(
      shortestUniqueNames([
        ['Combos', 'summer', 'dark', 'c1'],
        ['Combos', 'winter', 'dark', 'c1'],
        ['Combos', 'summer', 'light', 'c2'],
      ]),
    ).toEqual(['summer/dark/c1', 'winter/dark/c1', 'c2']);
    expect(shortestUniqueNames([['p', 'catalog_a', 'hero'], ['p', 'catalog_b', 'hero'], ['p', 'catalog_a', 'detail']])).toEqual(['catalog_a/hero', 'catalog_b/hero', 'detail']);
  });

  it('tells a path apart from a longer one ending the same way', () => {
    const names = shortestUniqueNames([['c2'], ['a', 'c2']]);
    expect(names).toEqual(['c2', 'a/c2']);
  });

  it('numbers identical paths', () => {
    const names = shortestUniqueNames([['x'], ['x']]);
    expect(new Set(names).size).toBe(2);
  });
});

describe('compareNatural', () => {
  it('orders numbers by value', () => {
    expect(['combo10', 'combo2', 'combo1'].sort(compareNatural)).toEqual(['combo1', 'combo2', 'combo10']);
  });
});
