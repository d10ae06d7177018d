/**
 * Assertions in the TigerBeetle sense: a failed assertion is a bug in the
 * simulator itself, never a modelled failure. Modelled failures (NotLeader,
 * timeout, disk full) are returned values; these throw and abort the run.
 */

/** Thrown when the simulator's own invariants break. The CLI maps it to exit code 70. */
export class SimulatorBug extends Error {
  override readonly name = "SimulatorBug";
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new SimulatorBug(message);
}

/** Closes a `switch` over a union: the compiler proves it unreachable, the runtime double-checks. */
export function unreachable(value: never, what = "value"): never {
  throw new SimulatorBug(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}

export function assertInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new SimulatorBug(`${name} must be a safe integer, got ${value}`);
  }
}

export function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SimulatorBug(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
