/**
 * The one run sequence every system follows, Jepsen's shape: build the
 * cluster and install the client applications; play the fault schedule
 * while the clients work; heal everything at the end of the fault phase;
 * wait, within a virtual-time bound, for the cluster to converge and the
 * clients to settle (liveness); read what the cluster still holds (the final
 * read, recorded in the history); check the history.
 *
 * A system supplies the stages that differ (src/run/system.ts's run calls
 * this); the order, the budgets, the convergence poll and the result's shape
 * are the same for all, so a safety or liveness verdict means the same thing
 * whatever the system.
 *
 * A run may also be probed: at given instants of the fault phase the run
 * stops, takes the world's counters and the system's threads and gauges as
 * plain data, and goes on. Stepping the scheduler adds no events, so a
 * probed run is the run an unprobed one makes (the same events, the same
 * digest); benches measure steady-state windows as differences of probes.
 */
import { runChecks, type CheckInputs, type RunChecksOptions } from "../checks/run-checks.js";
import { History } from "../history/history.js";
import type { FaultSchedule } from "../faults/fault.js";
import { scheduleFaults } from "../faults/schedule.js";
import { assert, Kernel, runUntilConverged } from "../kernel/index.js";
import type { RunResult } from "../kernel/scheduler.js";
import type { World } from "../world/world.js";
import { worldCounters } from "../world/world-counters.js";
import type { ProbeThread, RunProbe, SystemRunResult } from "./system.js";

/** What every run spec says about the run itself (the system's spec adds its cluster and workloads). */
export interface RunSequenceSpec {
  seed: number | string;
  faults: FaultSchedule;
  /** Clients work and faults happen before this; then everything heals. */
  faultPhaseNs: number;
  /** After healing, the cluster must converge and the clients settle within this. */
  convergeNsMax: number;
  eventsMax?: number;
  /** History records at most (the run's memory budget): reaching it ends the run with "memory-budget". */
  historyRecordsMax?: number;
  /** Instants of the fault phase (strictly increasing, at most faultPhaseNs) at which the run takes a probe (result.probes). */
  probesAtNs?: readonly number[];
  /**
   * Leave the checks to the caller (a bench times them apart from the run):
   * the final read still gathers every input the requested checks need
   * (result.checkInputs) and result.checks is empty.
   */
  deferChecks?: boolean;
  /**
   * Told how far the run has got, now and then (about every 1% of the fault
   * phase, then at each convergence poll): for a progress bar. The run steps
   * to those instants as it does to probes, which adds no event, so a run
   * with it is the run without it (the same digest).
   */
  onProgress?: (progress: RunProgress) => void;
}

/** How far a run has got, in virtual time. */
export interface RunProgress {
  phase: "faults" | "converging";
  nowNs: number;
  /** The fault phase's end; then the convergence deadline. */
  untilNs: number;
}

/** Progress reports per fault phase. */
const PROGRESS_STEPS = 100;

/** The stages a system supplies. */
export interface RunStages<Cluster extends { world: World }> {
  /** Builds the cluster on the kernel and installs the client applications on its world, recording into the history. */
  build(kernel: Kernel, history: History): Cluster;
  /** Why the run has not converged yet, the cluster's own reasons first (none once it has). */
  pendingReasons(): string[];
  /** Jepsen's final read: records what the cluster still holds into the history and returns what the checks need beyond it. */
  finalRead(nowNs: number): CheckInputs;
  /** How the checks hold the run to account (groups, streams per group, which checks). */
  checkOptions(): RunChecksOptions;
  /** The system's side of a probe: its threads' CPU so far and its gauges (values at this instant), as plain data. */
  probe(): { threads: ProbeThread[]; gauges: Record<string, number> };
}

export interface RunSequenceResult<Cluster> extends SystemRunResult {
  cluster: Cluster;
}

export const EVENTS_MAX_DEFAULT = 50_000_000;
/** How often, once the fault phase is over, the run asks whether everything has converged. */
const CONVERGENCE_POLL_NS = 100_000_000;

export function runSequence<Cluster extends { world: World }>(spec: RunSequenceSpec, stages: RunStages<Cluster>): RunSequenceResult<Cluster> {
  const kernel = new Kernel({ seed: spec.seed, budgets: { eventsMax: spec.eventsMax ?? EVENTS_MAX_DEFAULT, timeNsMax: spec.faultPhaseNs + spec.convergeNsMax } });
  const history = new History({ ...(spec.historyRecordsMax === undefined ? {} : { recordsMax: spec.historyRecordsMax }), onFull: () => kernel.scheduler.exhaust("memory-budget") });
  const cluster = stages.build(kernel, history);
  const { world } = cluster;
  scheduleFaults(world, spec.faults.filter((fault) => fault.atNs < spec.faultPhaseNs));
  kernel.scheduler.at(spec.faultPhaseNs, () => world.healAll());
  world.boot();
  const probes: RunProbe[] = [];
  const faultPhase = runFaultPhase(kernel, spec, () => probes.push({ atNs: kernel.now, world: worldCounters(world), ...stages.probe() }));
  const { liveness, result } = runUntilConverged(kernel.scheduler, faultPhase, {
    deadlineNs: spec.faultPhaseNs + spec.convergeNsMax,
    pollNs: CONVERGENCE_POLL_NS,
    pendingReasons: () => {
      spec.onProgress?.({ phase: "converging", nowNs: kernel.now, untilNs: spec.faultPhaseNs + spec.convergeNsMax });
      return stages.pendingReasons();
    },
  });
  const inputs = stages.finalRead(kernel.now);
  const checks = spec.deferChecks === true ? [] : runChecks(history, inputs, stages.checkOptions());
  return {
    seed: kernel.seed,
    digest: kernel.digestHex(),
    stopReason: result.reason,
    timeNs: kernel.now,
    events: kernel.scheduler.eventsFired,
    history,
    checks,
    liveness,
    marks: kernel.marks.entries(),
    checkInputs: inputs,
    probes,
    clusterEvents: world.clusterLog.events,
    clusterEventsLeftOut: world.clusterLog.leftOut,
    cluster,
  };
}

/** Runs to the end of the fault phase, stopping at each probe's instant to take it; a run that ends early takes no more. */
function runFaultPhase(kernel: Kernel, spec: RunSequenceSpec, takeProbe: () => void): RunResult {
  let previousNs = -1;
  for (const atNs of spec.probesAtNs ?? []) {
    assert(Number.isSafeInteger(atNs) && previousNs < atNs && atNs <= spec.faultPhaseNs, `probe at ${atNs} ns: probes must be strictly increasing integers within the fault phase (0..${spec.faultPhaseNs})`);
    previousNs = atNs;
    const result = runWithProgress(kernel, spec, atNs);
    if (result.reason !== "time-reached" && result.reason !== "idle") return result;
    takeProbe();
  }
  return runWithProgress(kernel, spec, spec.faultPhaseNs);
}

/** Runs to `untilNs`, stopping every 1% of the fault phase to report progress when someone listens. */
function runWithProgress(kernel: Kernel, spec: RunSequenceSpec, untilNs: number): RunResult {
  const onProgress = spec.onProgress;
  if (onProgress === undefined) return kernel.scheduler.run({ untilNs });
  const stepNs = Math.max(1, Math.ceil(spec.faultPhaseNs / PROGRESS_STEPS));
  for (;;) {
    const beforeNs = kernel.now;
    const result = kernel.scheduler.run({ untilNs: Math.min(untilNs, kernel.now + stepNs) });
    onProgress({ phase: "faults", nowNs: kernel.now, untilNs: spec.faultPhaseNs });
    const isStopped = result.reason !== "time-reached" && result.reason !== "idle";
    if (isStopped || kernel.now >= untilNs || kernel.now === beforeNs) return result;
  }
}
