export { faultScheduleArbitrary, partitionArbitrary, type FaultScheduleOptions } from "./arbitrary.js";
export { describeFault, type Fault, type FaultSchedule, type FaultVerb, type TimedFault } from "./fault.js";
export { applyFault, scheduleFaults } from "./schedule.js";
