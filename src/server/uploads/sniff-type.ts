/**
 * File types judged by their first bytes (magic numbers), never by name or declared content type
 * (OWASP file upload guidance). Polyglots that pass the sniff are still fully decoded and
 * re-encoded before anything is stored.
 */

export type SniffedType = 'png' | 'jpeg' | 'webp' | 'avif' | 'heic' | 'gif' | 'tiff' | 'zip';

/** Bytes `sniffType` needs to decide. */
export const sniffLength = 32;

/** Image types uploads accept; HEIC only when the server's image library can decode it. */
export const acceptedImageTypes: readonly SniffedType[] = ['png', 'jpeg', 'webp', 'avif', 'heic'];

const avifBrands = new Set(['avif', 'avis']);
const heicBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

export function sniffType(head: Uint8Array): SniffedType | undefined {
  const at = (offset: number, bytes: number[]) => bytes.every((byte, index) => head[offset + index] === byte);
  const ascii = (offset: number, length: number) => String.fromCharCode(...head.subarray(offset, offset + length));
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'webp';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (at(0, [0x50, 0x4b, 0x03, 0x04]) || at(0, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (ascii(4, 4) === 'ftyp') {
    // ISO base media file: the major brand, then compatible brands up to the box size.
    const boxSize = ((head[0] ?? 0) << 24) | ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0);
    const brands = [ascii(8, 4)];
    for (let offset = 16; offset + 4 <= Math.min(boxSize, head.length); offset += 4) brands.push(ascii(offset, 4));
    if (brands.some((brand) => avifBrands.has(brand))) return 'avif';
    if (brands.some((brand) => heicBrands.has(brand))) return 'heic';
  }
  return undefined;
}

/** Human name of a type for messages. */
export function typeName(type: SniffedType): string {
  return type === 'jpeg' ? 'JPEG' : type.toUpperCase();
}
