/**
 * Seeds and identities for sweep points, from text alone: a point's seed is a
 * hash of the base seed and the point's key, so it does not depend on which
 * worker ran the point, in which order, or which shard it fell in. A rerun of
 * an interrupted sweep therefore reproduces every point exactly.
 *
 * The hash is cyrb53 (two 32-bit multiply-xor lanes folded into 53 bits, a
 * public-domain design by bryc): fast, well mixed, and an exact integer in a
 * JavaScript number. It is pinned by tests; changing it changes every seed.
 */
import { compareStrings } from "../kernel/order.js";

/** A 53-bit hash of a string's UTF-16 code units, as a non-negative safe integer. */
export function hash53(text: string, salt = 0): number {
  let h1 = 0xdeadbeef ^ salt;
  let h2 = 0x41c6ce57 ^ salt;
  for (let k = 0; k < text.length; k += 1) {
    const unit = text.charCodeAt(k);
    h1 = Math.imul(h1 ^ unit, 2654435761);
    h2 = Math.imul(h2 ^ unit, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The seed a point runs with: derived from the base seed and the point's key. */
export function derivePointSeed(baseSeed: number | string, key: string): number {
  // The base seed's type is part of the text, so seed 7 and seed "7" stay distinct as they are for a run.
  return hash53(`${typeof baseSeed === "number" ? "n" : "s"}:${baseSeed}|${key}`);
}

/** 16 hex digits identifying a value: its canonical JSON hashed under two salts. */
export function fingerprint(value: unknown): string {
  const text = canonicalJson(value);
  return hash53(text, 1).toString(16).padStart(14, "0").slice(-8) + hash53(text, 2).toString(16).padStart(14, "0").slice(-8);
}

/**
 * JSON with every mapping's keys in code-unit order, so two documents that
 * differ only in key order (YAML written by hand, then by a tool) compare
 * equal. Undefined members are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort(compareStrings);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}
