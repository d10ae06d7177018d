/**
 * A running 64-bit digest over a canonical encoding of what a run did.
 *
 * Two 32-bit lanes in the style of MurmurHash3's block mix, the second lane
 * fed by the first so the halves are not independent. Numbers are encoded as
 * their IEEE-754 bits (two words), strings as their length and UTF-16 code
 * units, so the encoding does not depend on locale, platform or formatting.
 * It is a fingerprint for "did two runs do exactly the same thing", not a
 * cryptographic hash.
 */

const scratch = new DataView(new ArrayBuffer(8));
const FINGERPRINT_CACHE_MAX = 1 << 16;
const fingerprints = new Map<string, number>();

/**
 * A 53-bit fingerprint of a string: two independent 32-bit hashes over its
 * UTF-16 code units and length (FNV-1a and a Murmur-style mix), 32 + 21 bits.
 */
function fingerprintOf(text: string): number {
  let fnv = 0x811c9dc5 | 0;
  let murmur = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    fnv = Math.imul(fnv ^ unit, 0x01000193);
    let k = Math.imul(unit, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    murmur ^= Math.imul(k, 0x1b873593);
    murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
  }
  murmur ^= text.length;
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  return (fnv >>> 0) + (murmur >>> 11) * 4294967296;
}

/**
 * The fingerprint mixString uses for `text`. Hot callers take it once (a
 * trace kind, a link name) and mix it with mixFingerprint, which skips the
 * cache lookup; the digest is the same either way.
 */
export function stringFingerprint(text: string): number {
  let fingerprint = fingerprints.get(text);
  if (fingerprint === undefined) {
    fingerprint = fingerprintOf(text);
    if (fingerprints.size < FINGERPRINT_CACHE_MAX) fingerprints.set(text, fingerprint);
  }
  return fingerprint;
}

/** Words of one trace record, staged for Digest64.mixRecord. */
const staged = new Int32Array(12);

/** Stages a number's two words exactly as mixNumber encodes it (Int32Array storage wraps as `| 0` does). */
function stageNumber(at: number, value: number): void {
  if (Number.isSafeInteger(value) && value >= 0) {
    staged[at] = value >>> 0;
    staged[at + 1] = (value / 4294967296) >>> 0;
    return;
  }
  scratch.setFloat64(0, value);
  staged[at] = scratch.getUint32(0) ^ 0x7ff00001;
  staged[at + 1] = scratch.getUint32(4);
}

function stageFingerprint(at: number, fingerprint: number): void {
  staged[at] = fingerprint >>> 0;
  staged[at + 1] = (fingerprint / 4294967296) >>> 0;
}

export class Digest64 {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x5bd1e995 | 0;
  private words = 0;

  mixWord(word: number): void {
    let k = Math.imul(word | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h1 = this.h1 ^ k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    this.h1 = h1;
    let h2 = this.h2 ^ Math.imul(word ^ h1, 0x85ebca6b);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 0xc2b2ae35) + 0x52dce729) | 0;
    this.h2 = h2;
    this.words++;
  }

  /** Integers up to 2^53 take the fast path; other numbers are mixed by their float bits. */
  mixNumber(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) {
      this.mixWord(value >>> 0);
      this.mixWord((value / 4294967296) >>> 0);
      return;
    }
    scratch.setFloat64(0, value);
    this.mixWord(scratch.getUint32(0) ^ 0x7ff00001);
    this.mixWord(scratch.getUint32(4));
  }

  /**
   * Mixes a string by its 53-bit fingerprint. Traces repeat a small set of
   * strings (kinds, node and link names) millions of times, so fingerprints
   * are cached by string; the cache is a pure function of the text, shared by
   * every run in the process without affecting any digest.
   */
  mixString(text: string): void {
    this.mixFingerprint(stringFingerprint(text));
  }

  /** Mixes a string by a fingerprint taken earlier with stringFingerprint: the same as mixString(text). */
  mixFingerprint(fingerprint: number): void {
    this.mixWord(fingerprint >>> 0);
    this.mixWord((fingerprint / 4294967296) >>> 0);
  }

  /**
   * One trace record: mixNumber(timeNs), mixFingerprint(kind),
   * mixFingerprint(subject), mixNumber(a), mixNumber(b), mixNumber(c), with
   * the same result, run over local state (the hottest digest path).
   */
  mixRecord(timeNs: number, kindFingerprint: number, subjectFingerprint: number, a: number, b: number, c: number): void {
    stageNumber(0, timeNs);
    stageFingerprint(2, kindFingerprint);
    stageFingerprint(4, subjectFingerprint);
    stageNumber(6, a);
    stageNumber(8, b);
    stageNumber(10, c);
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < 12; i++) {
      const word = staged[i]!;
      let k = Math.imul(word, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h1 ^= k;
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 ^= Math.imul(word ^ h1, 0x85ebca6b);
      h2 = (h2 << 17) | (h2 >>> 15);
      h2 = (Math.imul(h2, 0xc2b2ae35) + 0x52dce729) | 0;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.words += 12;
  }

  /** The digest as 16 lowercase hex digits; does not change the running state. */
  hex(): string {
    const a = finalMix(this.h1 ^ this.words, this.h2);
    const b = finalMix(this.h2 ^ Math.imul(this.words, 0x27d4eb2d), a);
    return toHex32(a) + toHex32(b);
  }
}

function finalMix(value: number, salt: number): number {
  let h = (value ^ salt) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function toHex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
