/**
 * A fault schedule as intervals, for timelines: a crash, power loss or
 * shutdown lasts until the node's restart, a pause until its resume, a
 * partition until its heal, a disk fault until the disk's heal, datagram
 * faults until they are cleared; all of them at the latest until `healAtNs`
 * (the end of the fault phase, where every run heals everything). The undo
 * verbs themselves (restart, resume, heal, healDisk, healAll) are not
 * intervals of their own.
 */
import { describeFault, type TimedFault } from "./fault.js";

export interface FaultInterval {
  atNs: number;
  endNs: number;
  verb: TimedFault["verb"];
  /** The node it hits, the partition's name (or "partition@<ns>"), or "network". */
  target: string;
  /** The schedule's line for it (describeFault). */
  line: string;
}

const UNDO_VERBS = new Set<TimedFault["verb"]>(["restart", "resume", "heal", "healDisk", "healAll"]);

/** The intervals in the schedule's time order (faults at or past healAtNs are left out: they never happen). */
export function faultIntervals(faults: readonly TimedFault[], healAtNs: number): FaultInterval[] {
  const ordered = faults.map((fault, index) => ({ fault, index })).sort((a, b) => a.fault.atNs - b.fault.atNs || a.index - b.index).map(({ fault }) => fault);
  const out: FaultInterval[] = [];
  ordered.forEach((fault, k) => {
    if (fault.atNs >= healAtNs || UNDO_VERBS.has(fault.verb)) return;
    const undo = ordered.slice(k + 1).find((later) => later.verb === "healAll" || isUndoOf(fault, later));
    const endNs = Math.min(undo?.atNs ?? healAtNs, healAtNs);
    out.push({ atNs: fault.atNs, endNs, verb: fault.verb, target: targetOf(fault), line: describeFault(fault) });
  });
  return out;
}

function isUndoOf(fault: TimedFault, later: TimedFault): boolean {
  switch (fault.verb) {
    case "processCrash":
    case "powerLoss":
    case "machineLoss":
    case "shutdown":
      return later.verb === "restart" && later.node === fault.node;
    case "pause":
      return later.verb === "resume" && later.node === fault.node;
    case "partition":
      return later.verb === "heal" && (later.name === undefined || later.name === fault.name);
    case "slowDisk":
    case "fullDisk":
    case "fsyncLies":
    case "tornWrites":
      return later.verb === "healDisk" && later.node === fault.node;
    case "datagramFaults":
      return later.verb === "datagramFaults";
    default:
      return false;
  }
}

function targetOf(fault: TimedFault): string {
  if (fault.verb === "partition") return fault.name ?? `partition@${fault.atNs}`;
  return "node" in fault ? fault.node : "network";
}
