/**
 * The steady-state window of a saturation run, from the run's probes: the
 * run (src/run/run-sequence.ts) stops at the window's start, every sampling
 * interval inside it and its end, and keeps the counters as plain data; the
 * window is the difference of its first and last probe. Stepping adds no
 * events, so the run is the one an unprobed run would make.
 */
import type { RunProbe, SystemRunResult } from "../../src/run/system.js";
import type { SaturationOptions } from "./design.js";

/** The instants to probe: the window's start, every sampling interval after it up to its end, and its end. */
export function windowProbesAtNs(sat: SaturationOptions): number[] {
  if (!(0 <= sat.windowFromNs && sat.windowFromNs < sat.windowToNs && sat.windowToNs <= sat.runNs)) throw new Error("the window must lie within the run");
  const instants = [sat.windowFromNs];
  for (let t = sat.windowFromNs + sat.sampleEveryNs; t <= sat.windowToNs; t += sat.sampleEveryNs) instants.push(t);
  if (instants[instants.length - 1] !== sat.windowToNs) instants.push(sat.windowToNs);
  return instants;
}

export interface ProbedWindow {
  first: RunProbe;
  last: RunProbe;
  /** The probes after the window's start at the sampling interval (the gauges' samples). */
  samples: RunProbe[];
}

/** The window's probes; a run that stopped before its end (a budget) is an error of the bench, not a measurement. */
export function probedWindow(result: SystemRunResult, sat: SaturationOptions, what: string): ProbedWindow {
  const asked = windowProbesAtNs(sat);
  if (result.probes.length !== asked.length) throw new Error(`${what} stopped early (${result.stopReason}) after ${result.probes.length} of ${asked.length} probes`);
  const samples = result.probes.slice(1).filter((probe) => (probe.atNs - sat.windowFromNs) % sat.sampleEveryNs === 0);
  return { first: result.probes[0]!, last: result.probes[result.probes.length - 1]!, samples };
}
