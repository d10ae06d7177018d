/** A scenario's faults (any system's) as the schedule the world plays. */
import type { FaultSchedule, TimedFault } from "../faults/fault.js";
import type { ScenarioFault } from "./schema-parts.js";

/** A scenario's faults (any system's) as a schedule, in time order. */
export function faultScheduleOf(scenario: { faults: readonly ScenarioFault[] }): FaultSchedule {
  return scenario.faults
    .map((fault): TimedFault => {
      const { at, ...rest } = fault;
      return { ...rest, atNs: at } as TimedFault;
    })
    .sort((a, b) => a.atNs - b.atNs);
}
