import { crc32 as zlibCrc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { addPngTextChunks, crc32, readPngTextChunks } from '../../src/core/png-text-chunks.js';
import { thrownBy } from '../support/thrown-by.js';

interface Chunk {
  type: string;
  data: Uint8Array;
  crc: number;
  /** CRC over type + data, computed independently with zlib. */
  expectedCrc: number;
}

/** An independent chunk walker (uses zlib's CRC-32, not the module's own). */
function chunksOf(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = Buffer.from(png.subarray(offset + 4, offset + 8)).toString('latin1');
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = view.getUint32(offset + 8 + length);
    chunks.push({ type, data, crc, expectedCrc: zlibCrc32(png.subarray(offset + 4, offset + 8 + length)) });
    offset += 12 + length;
  }
  return chunks;
}

/** A tEXt chunk built by hand, as other tools write them. */
function textChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write('tEXt', 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlibCrc32(Buffer.concat([header.subarray(4), data])), 0);
  return Buffer.concat([header, data, crc]);
}

async function samplePng(): Promise<Uint8Array> {
  const pixels = Buffer.alloc(24 * 16 * 3);
  for (let index = 0; index < pixels.length; index += 1) pixels[index] = (index * 37) % 256;
  return new Uint8Array(await sharp(pixels, { raw: { width: 24, height: 16, channels: 3 } }).png().toBuffer());
}


describe('PNG text chunks', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('round-trips UTF-8 entries, and the image still decodes to the same pixels', async () => {
    const png = await samplePng();
    const entries = { parameters: 'a café at dusk — 夕暮れ 🌆\nSeed: 7', imagefleet: JSON.stringify({ seed: 7, prompt: 'naïve' }), empty: '' };
    const stamped = addPngTextChunks(png, entries);
    expect(readPngTextChunks(stamped)).toEqual(entries);
    expect(readPngTextChunks(png)).toEqual({});

    const [before, after] = await Promise.all([sharp(png).raw().toBuffer(), sharp(stamped).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
    // libpng (inside sharp) reads the chunks too, which is what "common tools can read it" needs.
    const comments = (await sharp(stamped).metadata()).comments ?? [];
    expect(comments).toEqual(expect.arrayContaining([{ keyword: 'parameters', text: entries.parameters }]));
  });

  it('writes iTXt chunks with correct CRCs, before the first IDAT', async () => {
    const stamped = addPngTextChunks(await samplePng(), { parameters: 'hello', imagefleet: '{}' });
    const chunks = chunksOf(stamped);
    for (const chunk of chunks) expect({ type: chunk.type, crc: chunk.crc }).toEqual({ type: chunk.type, crc: chunk.expectedCrc });
    const types = chunks.map((chunk) => chunk.type);
    const firstImageData = types.indexOf('IDAT');
    const textPositions = types.flatMap((type, index) => (type === 'iTXt' ? [index] : []));
    expect(textPositions).toHaveLength(2);
    expect(Math.max(...textPositions)).toBeLessThan(firstImageData);
    expect(types[0]).toBe('IHDR');
    expect(types.at(-1)).toBe('IEND');
    // Keyword, NUL, compression flag 0, method 0, empty language and translated keyword, then text.
    const firstText = chunks.find((chunk) => chunk.type === 'iTXt');
    expect(Buffer.from(firstText?.data ?? []).toString('latin1')).toBe('parameters\0\0\0\0\0hello');
  });

  it('replaces existing text with the same keyword and keeps the others', async () => {
    const png = await samplePng();
    const once = addPngTextChunks(png, { parameters: 'first', imagefleet: '{"a":1}' });
    const twice = addPngTextChunks(once, { parameters: 'second' });
    expect(readPngTextChunks(twice)).toEqual({ parameters: 'second', imagefleet: '{"a":1}' });
    expect(chunksOf(twice).filter((chunk) => chunk.type === 'iTXt')).toHaveLength(2);
  });

  it('reads tEXt chunks written by other tools, as Latin-1', async () => {
    const png = Buffer.from(await samplePng());
    const withText = Buffer.concat([png.subarray(0, 33), textChunk('Software', 'Caf\u00e9 Studio'), png.subarray(33)]);
    expect(readPngTextChunks(withText)).toEqual({ Software: 'Café Studio' });
    expect((await sharp(withText).metadata()).width).toBe(24);
  });

  it('skips a text chunk whose CRC is wrong', async () => {
    const stamped = addPngTextChunks(await samplePng(), { parameters: 'hello' });
    const corrupted = new Uint8Array(stamped);
    const index = Buffer.from(corrupted).indexOf('hello', 0, 'latin1');
    corrupted[index] = 'j'.charCodeAt(0);
    expect(readPngTextChunks(corrupted)).toEqual({});
  });

  it('refuses input that is not a PNG with invalid_input', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer());
    const png = await samplePng();
    const truncated = png.subarray(0, png.length - 20);
    const withoutImageData = png.subarray(0, 33);
    for (const input of [jpeg, new Uint8Array(), truncated, withoutImageData]) {
      for (const action of [() => addPngTextChunks(input, { a: 'b' }), () => readPngTextChunks(input)]) {
        const error = thrownBy(action);
        expect(isImagefleetError(error) && error.code).toBe('invalid_input');
      }
    }
  });

  it('refuses keywords PNG does not allow', async () => {
    const png = await samplePng();
    for (const keyword of ['', ' lead', 'trail ', 'double  space', 'x'.repeat(80), 'emoji🙂', 'tab\there']) {
      const error = thrownBy(() => addPngTextChunks(png, { [keyword]: 'value' }));
      expect({ keyword, code: isImagefleetError(error) && error.code }).toEqual({ keyword, code: 'invalid_input' });
    }
    expect(readPngTextChunks(addPngTextChunks(png, { 'Creation Time': 'now' }))).toEqual({ 'Creation Time': 'now' });
  });
});
