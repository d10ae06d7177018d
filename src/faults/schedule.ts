/**
 * Applies a fault schedule to a world: each verb fires at its virtual time,
 * in schedule order for equal times.
 */
import { assert, unreachable } from "../kernel/assert.js";
import type { World } from "../world/world.js";
import type { Fault, FaultSchedule, TimedFault } from "./fault.js";

/** Performs one verb now. Returns false when it did not apply (e.g. crashing a crashed node). */
export function applyFault(world: World, fault: Fault): boolean {
  switch (fault.verb) {
    case "processCrash":
      return world.processCrash(fault.node);
    case "shutdown":
      return world.shutdown(fault.node);
    case "powerLoss":
      return world.powerLoss(fault.node);
    case "machineLoss":
      return world.machineLoss(fault.node);
    case "restart":
      return world.restart(fault.node);
    case "pause":
      return world.pause(fault.node);
    case "resume":
      return world.resume(fault.node);
    case "partition":
      if (fault.name !== undefined && world.net.partitions.activeNames().includes(fault.name)) return false;
      world.partition(fault.spec, fault.name);
      return true;
    case "heal":
      return world.heal(fault.name) > 0;
    case "slowDisk":
      world.slowDisk(fault.node, fault.factor);
      return true;
    case "fullDisk":
      world.fullDisk(fault.node);
      return true;
    case "fsyncLies":
      world.fsyncLies(fault.node);
      return true;
    case "tornWrites":
      world.tornWrites(fault.node);
      return true;
    case "healDisk":
      world.healDisk(fault.node);
      return true;
    case "datagramFaults":
      world.datagramFaults(fault.faults);
      return true;
    case "healAll":
      world.healAll();
      return true;
    default:
      return unreachable(fault, "fault verb");
  }
}

/** Schedules every fault on the world's clock. Times must not be in the past. */
export function scheduleFaults(world: World, schedule: FaultSchedule): void {
  const scheduler = world.kernel.scheduler;
  // Stable by time: equal times keep schedule order (the scheduler's ties are FIFO).
  const ordered = schedule.map((fault, index) => ({ fault, index })).sort((a, b) => a.fault.atNs - b.fault.atNs || a.index - b.index);
  for (const { fault } of ordered) {
    assert(fault.atNs >= scheduler.now && Number.isSafeInteger(fault.atNs), `fault at ${fault.atNs} is not a time >= now`);
    scheduler.at(fault.atNs, fireFault, { world, fault });
  }
}

function fireFault(entry: { world: World; fault: TimedFault }): void {
  applyFault(entry.world, entry.fault);
}
