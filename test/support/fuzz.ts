/** Deterministic fuzzing helpers for parser tests. */

/** A small seeded PRNG (mulberry32): same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random variant of `seed`: noise, a truncation, an extension, bit flips or byte edits. */
export function mutate(seed: Buffer, rand: () => number): Buffer {
  const pickInt = (n: number): number => Math.floor(rand() * n);
  const noise = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => pickInt(256)));
  const mode = pickInt(5);
  if (mode === 0) return noise(pickInt(64));
  const buf = Buffer.from(seed);
  if (mode === 1) return buf.subarray(0, pickInt(buf.length + 1));
  if (mode === 2) return Buffer.concat([buf, noise(pickInt(16))]);
  const edits = 1 + pickInt(4);
  for (let i = 0; i < edits && buf.length > 0; i++) {
    const at = pickInt(buf.length);
    buf[at] = mode === 3 ? buf[at]! ^ (1 << pickInt(8)) : pickInt(256);
  }
  return buf;
}

/** Run `body` repeatedly for `ms` milliseconds; returns the number of runs. */
export function forDuration(ms: number, body: () => void): number {
  const deadline = Date.now() + ms;
  let runs = 0;
  while (Date.now() < deadline) {
    body();
    runs++;
  }
  return runs;
}
