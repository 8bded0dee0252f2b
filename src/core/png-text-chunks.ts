/**
 * PNG text chunks (tEXt / iTXt), the place where every output carries its provenance (DESIGN §7).
 * Pure byte manipulation: no decoding of pixels, so adding provenance never re-encodes an image.
 */
import { ImagefleetError } from './errors.js';

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const chunkOverheadBytes = 12; // length (4) + type (4) + CRC (4)
const maximumKeywordBytes = 79;
const textChunkTypes = new Set(['tEXt', 'zTXt', 'iTXt']);

interface ChunkSpan {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  /** Offset just past the chunk's CRC. */
  end: number;
  dataStart: number;
  dataEnd: number;
}

/**
 * Returns a copy of `png` with one UTF-8 `iTXt` chunk per entry, inserted before the first IDAT (so
 * readers that stop at the pixels still see them). Existing text chunks with the same keywords are
 * removed, so stamping provenance twice leaves one value per key. Keywords must be 1–79 printable
 * Latin-1 characters without leading, trailing or double spaces (PNG rules). Non-PNG input or a bad
 * keyword fails with `invalid_input`.
 */
export function addPngTextChunks(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  const chunks = parseChunks(png);
  const keywords = Object.keys(entries);
  for (const keyword of keywords) checkKeyword(keyword);
  const replaced = new Set(keywords);

  const newChunks = keywords.map((keyword) => buildChunk('iTXt', internationalTextData(keyword, entries[keyword] ?? '')));
  const insertedBytes = newChunks.reduce((total, chunk) => total + chunk.length, 0);
  const kept = chunks.filter((chunk) => !(textChunkTypes.has(chunk.type) && replaced.has(readKeyword(png, chunk))));
  const keptBytes = kept.reduce((total, chunk) => total + (chunk.end - chunk.start), 0);

  const result = new Uint8Array(pngSignature.length + keptBytes + insertedBytes);
  result.set(pngSignature, 0);
  let offset: number = pngSignature.length;
  let inserted = false;
  for (const chunk of kept) {
    if (!inserted && chunk.type === 'IDAT') {
      for (const newChunk of newChunks) {
        result.set(newChunk, offset);
        offset += newChunk.length;
      }
      inserted = true;
    }
    result.set(png.subarray(chunk.start, chunk.end), offset);
    offset += chunk.end - chunk.start;
  }
  return result;
}

/**
 * Reads every uncompressed text chunk: `tEXt` (Latin-1) and `iTXt` (UTF-8). Compressed ones (`zTXt`,
 * compressed `iTXt`) are skipped — core has no zlib, and imagefleet never writes them — as are text
 * chunks whose CRC does not match. When a keyword repeats, the last one wins. Non-PNG input fails
 * with `invalid_input`.
 */
export function readPngTextChunks(png: Uint8Array): Record<string, string> {
  const values = new Map<string, string>();
  for (const chunk of parseChunks(png)) {
    if (chunk.type !== 'tEXt' && chunk.type !== 'iTXt') continue;
    if (crc32(png.subarray(chunk.start + 4, chunk.dataEnd)) !== readUint32(png, chunk.dataEnd)) continue;
    const data = png.subarray(chunk.dataStart, chunk.dataEnd);
    const keywordEnd = data.indexOf(0);
    if (keywordEnd <= 0) continue;
    const keyword = latin1(data.subarray(0, keywordEnd));
    if (chunk.type === 'tEXt') {
      values.set(keyword, latin1(data.subarray(keywordEnd + 1)));
      continue;
    }
    const compressed = data[keywordEnd + 1];
    if (compressed !== 0) continue;
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    if (languageEnd < 0) continue;
    const translatedKeywordEnd = data.indexOf(0, languageEnd + 1);
    if (translatedKeywordEnd < 0) continue;
    values.set(keyword, new TextDecoder('utf-8').decode(data.subarray(translatedKeywordEnd + 1)));
  }
  // fromEntries defines own properties, so a keyword like "__proto__" cannot touch the prototype.
  return Object.fromEntries(values);
}

function parseChunks(png: Uint8Array): ChunkSpan[] {
  if (png.length < pngSignature.length || pngSignature.some((byte, index) => png[index] !== byte)) {
    throw notPng('it does not start with the PNG signature');
  }
  const chunks: ChunkSpan[] = [];
  let offset: number = pngSignature.length;
  let sawImageData = false;
  while (offset < png.length) {
    if (offset + chunkOverheadBytes > png.length) throw notPng(`a chunk header at byte ${offset} is cut off`);
    const length = readUint32(png, offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const end = offset + chunkOverheadBytes + length;
    if (!/^[A-Za-z]{4}$/.test(type)) throw notPng(`byte ${offset} does not hold a chunk type`);
    if (end > png.length) throw notPng(`chunk ${type} at byte ${offset} runs past the end of the file`);
    chunks.push({ type, start: offset, end, dataStart: offset + 8, dataEnd: offset + 8 + length });
    if (type === 'IDAT') sawImageData = true;
    offset = end;
    if (type === 'IEND') break;
  }
  if (!sawImageData) throw notPng('it has no image data (IDAT)');
  return chunks;
}

function readKeyword(png: Uint8Array, chunk: ChunkSpan): string {
  const data = png.subarray(chunk.dataStart, chunk.dataEnd);
  const keywordEnd = data.indexOf(0);
  return latin1(data.subarray(0, keywordEnd < 0 ? data.length : keywordEnd));
}

function checkKeyword(keyword: string): void {
  const printableLatin1 = [...keyword].every((character) => {
    const code = character.charCodeAt(0);
    return character.length === 1 && ((code >= 32 && code <= 126) || (code >= 161 && code <= 255));
  });
  if (keyword.length < 1 || keyword.length > maximumKeywordBytes || !printableLatin1 || keyword !== keyword.trim() || keyword.includes('  ')) {
    throw new ImagefleetError('invalid_input', `PNG text keyword "${keyword}" is not allowed: use 1-79 printable Latin-1 characters, no leading, trailing or double spaces.`, {
      issues: [{ path: 'keyword', message: 'use 1-79 printable Latin-1 characters' }],
    });
  }
}

/** iTXt data: keyword, NUL, compression flag 0, method 0, empty language tag, empty translated keyword, UTF-8 text. */
function internationalTextData(keyword: string, text: string): Uint8Array {
  const keywordBytes = Uint8Array.from(keyword, (character) => character.charCodeAt(0));
  const textBytes = new TextEncoder().encode(text);
  const data = new Uint8Array(keywordBytes.length + 5 + textBytes.length);
  data.set(keywordBytes, 0);
  // The five bytes after the keyword are all zero: separator, flag, method, and two empty strings' terminators.
  data.set(textBytes, keywordBytes.length + 5);
  return data;
}

function buildChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(data.length + chunkOverheadBytes);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  for (let index = 0; index < 4; index += 1) chunk[4 + index] = type.charCodeAt(index);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function notPng(reason: string): ImagefleetError {
  return new ImagefleetError('invalid_input', `Not a PNG file: ${reason}.`, { issues: [{ path: '', message: `not a PNG file: ${reason}` }] });
}

/** CRC-32 (ISO-HDLC, the one PNG and zlib use), table-driven. */
const crcTable = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes`, as PNG computes it over a chunk's type and data. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
