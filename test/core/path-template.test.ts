import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import {
  maxSegmentBytes,
  numberedPath,
  parsePathTemplate,
  renderPathTemplate,
  sanitizePathSegment,
  truncateUtf8,
  unknownTemplateNames,
  withImageExtension,
} from '../../src/core/path-template.js';

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('parsePathTemplate', () => {
  it('splits folders and lists the placeholders', () => {
    const template = parsePathTemplate('{wardrobe}/{catalog}/{prompt_id}/{ui_style}/{combo}/{timestamp}-{prompt_id}-{size}.png');
    expect(template.segments).toHaveLength(6);
    expect(template.names).toEqual(['wardrobe', 'catalog', 'prompt_id', 'ui_style', 'combo', 'timestamp', 'size']);
    expect(unknownTemplateNames(template, ['wardrobe', 'catalog', 'prompt_id', 'combo', 'timestamp', 'size'])).toEqual(['ui_style']);
  });

  it.each([
    ['', 'is empty'],
    ['/abs/{x}.png', 'must be a relative path'],
    ['C:/x.png', 'must be a relative path'],
    ['a\\b.png', 'must be a relative path'],
    ['{combo}/', 'ends with "/"'],
    ['../{combo}.png', '"." or ".."'],
    ['a/./b.png', '"." or ".."'],
    ['{combo', 'is malformed'],
    ['{not a name}.png', 'is malformed'],
  ])('refuses %j', (template, why) => {
    let thrown: unknown;
    try {
      parsePathTemplate(template, '--layout');
    } catch (error) {
      thrown = error;
    }
    expect(isImagefleetError(thrown) && thrown.code).toBe('invalid_input');
    expect(isImagefleetError(thrown) && thrown.message).toContain(why);
    expect(isImagefleetError(thrown) && thrown.message).toMatch(/^The --layout template/);
  });

  it('renders variables, one folder per template segment whatever the values hold', () => {
    const template = parsePathTemplate('{combo}/{prompt_id}-{{x}}.{ext}');
    expect(renderPathTemplate(template, { combo: 'summer/dark', prompt_id: 'hero', ext: 'png' })).toBe('summer_dark/hero-{x}.png');
    expect(renderPathTemplate(template, { combo: '..', prompt_id: '.', ext: 'png' })).toBe('__/_-{x}.png');
  });
});

describe('sanitizePathSegment', () => {
  it.each([
    ['hero', 'hero'],
    ['', '_'],
    ['.', '_'],
    ['..', '__'],
    ['.hidden', '_hidden'],
    ['a/b\\c', 'a_b_c'],
    ['nul\u0000byte', 'nul_byte'],
    ['tab\tnew\nline', 'tab_new_line'],
    ['a<b>c:d"e|f?g*h', 'a_b_c_d_e_f_g_h'],
    ['CON', '_CON'],
    ['con.png', '_con.png'],
    ['Lpt9.txt', '_Lpt9.txt'],
    ['COM¹', '_COM¹'],
    ['CONSOLE', 'CONSOLE'],
    ['trailing. . ', 'trailing'],
    ['...', '___'],
    ['  ', '_'],
    ['evil\u202Egnp.exe', 'evil_gnp.exe'],
    ['cafe\u0301', 'café'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizePathSegment(raw)).toBe(expected);
  });

  it('caps long names in bytes, keeping the extension and whole characters', () => {
    const long = `${'é'.repeat(300)}.png`;
    const safe = sanitizePathSegment(long);
    expect(utf8Bytes(safe)).toBeLessThanOrEqual(maxSegmentBytes);
    expect(safe.endsWith('.png')).toBe(true);
    expect(safe).not.toContain('\uFFFD');
    const emoji = sanitizePathSegment('😀'.repeat(100));
    expect(utf8Bytes(emoji)).toBeLessThanOrEqual(maxSegmentBytes);
    expect([...emoji].every((character) => character === '😀')).toBe(true);
    expect(truncateUtf8('abcdef', 3)).toBe('abc');
  });
});

describe('numberedPath and withImageExtension', () => {
  it('numbers before the extension', () => {
    expect(numberedPath('a/b/name.png', 1)).toBe('a/b/name.png');
    expect(numberedPath('a/b/name.png', 2)).toBe('a/b/name-2.png');
    expect(numberedPath('name', 3)).toBe('name-3');
    expect(numberedPath('a.b/name.tar.gz', 2)).toBe('a.b/name.tar-2.gz');
  });

  it('gives a file the extension of its real format', () => {
    expect(withImageExtension('a/x.png', 'png')).toBe('a/x.png');
    expect(withImageExtension('a/x.jpeg', 'jpg')).toBe('a/x.jpeg');
    expect(withImageExtension('a/x.png', 'jpg')).toBe('a/x.jpg');
    expect(withImageExtension('a/x', 'webp')).toBe('a/x.webp');
    expect(withImageExtension('a/v1.2', 'png')).toBe('a/v1.2.png');
  });
});

/** A tiny deterministic generator, so the fuzz is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('layout fuzz: hostile names never leave the output root', () => {
  const hostilePieces = [
    '..', '.', '/', '\\', '../', '..\\', '%2e%2e', '%2f', '\u0000', '\u0001', '\u001f', '\u007f', '\u0085', 'CON', 'nul', 'com1', 'LPT9', 'aux.txt',
    '\u202E', '\u2066', '\u200f', '\ufeff', ' ', '.', '~', '$', 'C:', '//', '\r\n', 'e\u0301', '\ud800', '\udfff', '😀', '中文', 'x'.repeat(120), '.git', '*', '?', '"', '<', '>', '|', ':',
  ];
  const root = path.resolve('/srv/imagefleet-out');

  it('resolves 10,000 random hostile variables inside the root, each segment valid', () => {
    const random = seededRandom(20261121);
    const pick = (): string => hostilePieces[Math.floor(random() * hostilePieces.length)] ?? '';
    const template = parsePathTemplate('{a}/{b}{c}/x-{d}.{ext}');
    for (let round = 0; round < 10_000; round += 1) {
      const value = (): string => Array.from({ length: 1 + Math.floor(random() * 6) }, pick).join('');
      const rendered = renderPathTemplate(template, { a: value(), b: value(), c: value(), d: value(), ext: value() });
      const resolved = path.resolve(root, rendered);
      expect(resolved.startsWith(root + path.sep), rendered).toBe(true);
      const segments = rendered.split('/');
      expect(segments).toHaveLength(3);
      for (const segment of segments) {
        expect(segment === '' || segment === '.' || segment === '..', rendered).toBe(false);
        expect(segment.startsWith('.'), rendered).toBe(false);
        // eslint-disable-next-line no-control-regex -- control characters must not survive
        expect(/[\u0000-\u001f\u007f\\/:*?"<>|]/.test(segment), rendered).toBe(false);
        expect(/[. ]$/.test(segment), rendered).toBe(false);
        expect(/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(segment), rendered).toBe(false);
        expect(utf8Bytes(segment)).toBeLessThanOrEqual(maxSegmentBytes);
        expect(segment.normalize('NFC')).toBe(segment);
      }
    }
  });
});
