/**
 * Exponential variates by the ziggurat method (Marsaglia & Tsang, "The
 * Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8),
 * 2000): 256 layers of equal area; about 98.9% of draws take one 32-bit random
 * number, a table lookup, a multiply and a compare, with no logarithm. The
 * rare tail and wedge cases fall back to exact rejection sampling.
 *
 * As in the original, the layer index is the draw's low 8 bits and the value
 * uses all 32 bits; the shared bits shift a variate by at most 2^-24 of its
 * layer width, far below the integer-nanosecond rounding done by callers.
 * The tables are built with Math.exp/Math.log at load time: the same Node
 * version builds the same tables, so draws stay reproducible.
 */
import type { RngStream } from "./rng.js";

const LAYERS = 256;
const TWO_POW_32 = 4294967296;
/** Start of the tail (r) and the common area of every layer (v), for 256 layers. */
const TAIL_START = 7.697117470131487;
const LAYER_AREA = 3.949659822581572e-3;

const ke = new Float64Array(LAYERS);
const we = new Float64Array(LAYERS);
const fe = new Float64Array(LAYERS);

(function buildTables(): void {
  let de = TAIL_START;
  let te = de;
  const q = LAYER_AREA / Math.exp(-de);
  ke[0] = Math.floor((de / q) * TWO_POW_32);
  ke[1] = 0;
  we[0] = q / TWO_POW_32;
  we[LAYERS - 1] = de / TWO_POW_32;
  fe[0] = 1;
  fe[LAYERS - 1] = Math.exp(-de);
  for (let i = LAYERS - 2; i >= 1; i--) {
    de = -Math.log(LAYER_AREA / de + Math.exp(-de));
    ke[i + 1] = Math.floor((de / te) * TWO_POW_32);
    te = de;
    fe[i] = Math.exp(-de);
    we[i] = de / TWO_POW_32;
  }
})();

/** One Exp(1) variate. */
export function standardExponential(rng: RngStream): number {
  const jz = rng.u32();
  const iz = jz & (LAYERS - 1);
  if (jz < ke[iz]!) return jz * we[iz]!;
  return exponentialSlowPath(rng, jz, iz);
}

function exponentialSlowPath(rng: RngStream, firstJz: number, firstIz: number): number {
  let jz = firstJz;
  let iz = firstIz;
  for (;;) {
    // The base layer's overhang is the tail beyond r, itself exponential.
    if (iz === 0) return TAIL_START - Math.log(rng.unit());
    const x = jz * we[iz]!;
    if (fe[iz]! + rng.unit() * (fe[iz - 1]! - fe[iz]!) < Math.exp(-x)) return x;
    jz = rng.u32();
    iz = jz & (LAYERS - 1);
    if (jz < ke[iz]!) return jz * we[iz]!;
  }
}
