import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { ExportNameAllocator, defaultDownloadTemplate, parseDownloadTemplate } from '../../src/core/export-names.js';
import { renderPathTemplate, withImageExtension } from '../../src/core/path-template.js';

const render = (template: string, variables: Record<string, string>) => withImageExtension(renderPathTemplate(parseDownloadTemplate(template), variables), 'png');

describe('download names', () => {
  it('renders the default template into a folder per prompt', () => {
    expect(render(defaultDownloadTemplate, { prompt: 'red shoe', index: '0001', seed: '42' })).toBe('red shoe/0001_42.png');
  });

  it('keeps every hostile value inside its segment', () => {
    const hostile = ['..', '../..', '/etc/passwd', 'C:\\Windows', 'a\u0000b', 'CON', 'nul.txt', 'trailing. ', '\u202Eevil', '%2e%2e', 'x'.repeat(400), 'e\u0301'];
    for (const value of hostile) {
      const name = render('{prompt}/{seed}', { prompt: value, seed: value });
      const segments = name.split('/');
      expect(segments).toHaveLength(2);
      for (const segment of segments) {
        expect(segment).not.toMatch(/^\.\.?$/);
        expect(segment).not.toMatch(/[\p{Cc}\\:*?"<>|\u202A-\u202E]/u);
        expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
        expect(segment.normalize('NFC')).toBe(segment);
      }
      expect(name.startsWith('/')).toBe(false);
    }
  });

  it('refuses templates that could escape or use unknown names', () => {
    for (const template of ['', '/abs/{seed}', '../{seed}', 'a/../{seed}', '{password}', '{seed', 'a\\b']) {
      let error: unknown;
      try {
        parseDownloadTemplate(template);
      } catch (thrown) {
        error = thrown;
      }
      expect(isImagefleetError(error) && error.code).toBe('invalid_input');
    }
  });

  it('hands out unique names ignoring case, merging folders that differ only in case', () => {
    const allocator = new ExportNameAllocator();
    expect(allocator.reserve('manifest.csv')).toBe(true);
    expect(allocator.allocate('Cat/1.png')).toBe('Cat/1.png');
    expect(allocator.allocate('cat/1.png')).toBe('Cat/1-2.png');
    expect(allocator.allocate('CAT/1.png')).toBe('Cat/1-3.png');
    expect(allocator.allocate('Manifest.csv')).toBe('Manifest-2.csv');
    expect(allocator.allocate('manifest.csv/a.png')).toBe('_manifest.csv/a.png');
  });
});
