// Every property suite draws from one printed seed, so a failure in CI replays
// locally with MQSIM_FC_SEED=<seed> npm test. Unset, the seed is fixed so CI is
// reproducible; set MQSIM_FC_SEED=random to explore new ground.
import fc from "fast-check";

const FIXED_SEED = 20261122;

function chooseSeed(): number {
  const fromEnv = process.env["MQSIM_FC_SEED"];
  if (fromEnv === undefined || fromEnv === "") return FIXED_SEED;
  if (fromEnv === "random") return (Math.random() * 0x7fffffff) | 0;
  const parsed = Number(fromEnv);
  if (!Number.isSafeInteger(parsed)) {
    throw new Error(`MQSIM_FC_SEED: expected an integer or "random", got ${JSON.stringify(fromEnv)}`);
  }
  return parsed;
}

const seed = chooseSeed();
fc.configureGlobal({ seed });
export const fastCheckSeed = seed;
