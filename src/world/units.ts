/** Conversions between sizes, rates and integer-ns durations used by the world models. */

/**
 * Time to move `bytes` at `bytesPerSec`, rounded up to a whole nanosecond (a
 * transfer never takes less than its share of the wire). Exact while
 * bytes * 1e9 < 2^53 (about 9 MB); beyond that the rounding is still
 * deterministic.
 */
export function transferNs(bytes: number, bytesPerSec: number): number {
  return Math.ceil((bytes * 1_000_000_000) / bytesPerSec);
}

export const KIB = 1024;
export const MIB = 1024 * 1024;
export const GIB = 1024 * 1024 * 1024;

/** Bits per second to bytes per second (network rates are quoted in bits). */
export function bitsToBytesPerSec(bitsPerSec: number): number {
  return bitsPerSec / 8;
}
