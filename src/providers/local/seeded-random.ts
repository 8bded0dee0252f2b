/**
 * A small, fast, seedable pseudo-random generator (SFC32). The local provider must give the same
 * bytes for the same inputs on every run, so it never touches `Math.random`; every random choice
 * and every grain pixel comes from one of these streams.
 */
export interface SeededRandom {
  /** Next value as an unsigned 32-bit integer. */
  nextUint32(): number;
  /** Fills `target` with the next values, as calling nextUint32 once per element would. */
  fillUint32(target: Uint32Array): void;
  /** Next value in [0, 1). */
  nextFloat(): number;
  /** Next value in [minimum, maximum). */
  nextInRange(minimum: number, maximum: number): number;
  /** Next integer in [minimum, maximum] (both inclusive). */
  nextInteger(minimum: number, maximum: number): number;
  /** One element of a non-empty list. */
  pick<Item>(items: readonly Item[]): Item;
  /** A new independent stream seeded from this one, so one concern's draws never shift another's. */
  fork(): SeededRandom;
}

const twoToThe32 = 4_294_967_296;

/**
 * Creates a generator from 128 bits of state. Callers pass words taken from a SHA-256 digest, so
 * the state is well mixed; a short warm-up still runs so that nearby seeds diverge immediately.
 */
export function createSeededRandom(stateWords: readonly [number, number, number, number]): SeededRandom {
  let a = stateWords[0] >>> 0;
  let b = stateWords[1] >>> 0;
  let c = stateWords[2] >>> 0;
  let counter = stateWords[3] >>> 0;

  const nextUint32 = (): number => {
    const result = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + result) >>> 0;
    return result;
  };

  for (let warmUp = 0; warmUp < 12; warmUp += 1) nextUint32();

  const nextFloat = (): number => nextUint32() / twoToThe32;

  const fillUint32 = (target: Uint32Array): void => {
    for (let index = 0; index < target.length; index += 1) target[index] = nextUint32();
  };

  const random: SeededRandom = {
    nextUint32,
    fillUint32,
    nextFloat,
    nextInRange: (minimum, maximum) => minimum + (maximum - minimum) * nextFloat(),
    nextInteger: (minimum, maximum) => minimum + Math.floor(nextFloat() * (maximum - minimum + 1)),
    pick: <Item>(items: readonly Item[]): Item => {
      if (items.length === 0) throw new Error('pick() needs at least one item');
      return items[Math.floor(nextFloat() * items.length)] as Item;
    },
    fork: () => createSeededRandom([nextUint32(), nextUint32(), nextUint32(), nextUint32()]),
  };
  return random;
}

/** Reads the first 128 bits of a digest as generator state (big-endian words). */
export function stateWordsFromDigest(digest: Uint8Array): [number, number, number, number] {
  if (digest.length < 16) throw new Error('a seed digest needs at least 16 bytes');
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  return [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
}
