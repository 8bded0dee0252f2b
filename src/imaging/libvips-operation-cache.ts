/**
 * libvips keeps its last operations (up to 100, 50 MiB, 20 files) to answer a repeat of the very
 * same operation. This server never repeats one: every upload, output and thumbnail is a different
 * image. What the cache does do is keep each cached operation's input alive: an upload decoded
 * from its temporary file stays mapped into the process after the file is deleted — its pages in
 * the resident set and its disk space not given back — until later operations push it out
 * (issue 20: about 15 MiB of a 1,000-upload run's peak; decision 0052). So the cache is off.
 */
import sharp from 'sharp';

/** Turns libvips' operation cache off for the whole process (idempotent; sharp's setting is global). */
export function turnOffLibvipsOperationCache(): void {
  sharp.cache(false);
}
