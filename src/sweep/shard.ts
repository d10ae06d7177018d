/**
 * Shards: `--shard i/n` runs the points whose grid index is i-1 modulo n, a
 * deterministic slice that needs no coordination between machines (a CI
 * matrix, a Kubernetes indexed job), with every point in exactly one shard.
 * Round-robin rather than contiguous blocks, so neighbouring points (often of
 * similar cost: a bigger cluster, a higher rate) spread over the shards.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export const SHARDS_MAX = 10_000;

export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; message: string } {
  const match = /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(text);
  const index = match === null ? Number.NaN : Number(match[1]);
  const count = match === null ? Number.NaN : Number(match[2]);
  if (!(count >= 1 && count <= SHARDS_MAX && index >= 1 && index <= count)) {
    return { ok: false, message: `--shard: expected i/n with 1 <= i <= n <= ${SHARDS_MAX}, such as 1/4, got ${JSON.stringify(text)}` };
  }
  return { ok: true, shard: { index, count } };
}

export function inShard(pointIndex: number, shard: Shard | undefined): boolean {
  return shard === undefined || pointIndex % shard.count === shard.index - 1;
}

/** The results file of a shard (or of the whole sweep) inside a sweep's output directory. */
export function resultsFileName(shard: Shard | undefined): string {
  return shard === undefined ? "points.jsonl" : `points.shard-${shard.index}-of-${shard.count}.jsonl`;
}

/** Whether a file name is one resultsFileName gives: what merge picks up from a directory. */
export function isResultsFileName(name: string): boolean {
  return /^points(\.shard-[0-9]+-of-[0-9]+)?\.jsonl$/.test(name);
}
