/**
 * Faults as data: a schedule is a list of timed verbs. The same verbs are
 * methods on World, so a scenario file, a fast-check generator and a test
 * written as a script all speak one language.
 */
import type { DatagramFaults } from "../world/network.js";
import type { PartitionSpec } from "../world/partition.js";

export type Fault =
  | { verb: "processCrash"; node: string }
  /** An orderly stop: the software is told, then the process exits (World.shutdown). */
  | { verb: "shutdown"; node: string }
  | { verb: "powerLoss"; node: string }
  /** The machine is lost for good: its power goes and its disk with it; a restart brings up a replacement with an empty disk. */
  | { verb: "machineLoss"; node: string }
  | { verb: "restart"; node: string }
  | { verb: "pause"; node: string }
  | { verb: "resume"; node: string }
  | { verb: "partition"; spec: PartitionSpec; name?: string }
  | { verb: "heal"; name?: string }
  | { verb: "slowDisk"; node: string; factor: number }
  | { verb: "fullDisk"; node: string }
  | { verb: "fsyncLies"; node: string }
  | { verb: "tornWrites"; node: string }
  | { verb: "healDisk"; node: string }
  | { verb: "datagramFaults"; faults: DatagramFaults | null }
  /** Undo everything: heal partitions and disks, resume and restart nodes. */
  | { verb: "healAll" };

export type FaultVerb = Fault["verb"];

export type TimedFault = Fault & { atNs: number };

export type FaultSchedule = TimedFault[];

/**
 * An integer number of nanoseconds in the largest unit that keeps it
 * readable (s, ms, µs, ns) with every digit it needs and no trailing zero:
 * "5 s", "2.5 s", "65.315106 ms", "1.000000001 s". Exact, so a printed
 * schedule reads back to the same instants.
 */
export function formatExactNs(ns: number): string {
  const units: readonly [number, string][] = [
    [1e9, "s"],
    [1e6, "ms"],
    [1e3, "µs"],
  ];
  for (const [scale, unit] of units) {
    if (ns < scale) continue;
    const whole = Math.floor(ns / scale);
    const fraction = String(ns - whole * scale).padStart(String(scale).length - 1, "0").replace(/0+$/, "");
    return `${whole}${fraction === "" ? "" : `.${fraction}`} ${unit}`;
  }
  return `${ns} ns`;
}

/** A one-line rendering for logs, summaries and shrunk counterexamples. */
export function describeFault(fault: TimedFault): string {
  const at = formatExactNs(fault.atNs);
  switch (fault.verb) {
    case "partition":
      return `${at} partition ${JSON.stringify(fault.spec)}${fault.name === undefined ? "" : ` as ${fault.name}`}`;
    case "heal":
      return `${at} heal ${fault.name ?? "all"}`;
    case "slowDisk":
      return `${at} slowDisk ${fault.node} x${fault.factor}`;
    case "datagramFaults":
      return `${at} datagramFaults ${JSON.stringify(fault.faults)}`;
    case "healAll":
      return `${at} healAll`;
    default:
      return `${at} ${fault.verb} ${fault.node}`;
  }
}
