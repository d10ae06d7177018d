/**
 * The contract every registered system keeps, as one fast-check property
 * (a new system gets it for free: system-contract.property.test.ts runs it
 * over src/systems/index.ts, src/systems/plug-in.test.ts over a test-only
 * system): its smallest preset, run from a seed under a generated fault
 * schedule, gives the same digest twice (the second time probed mid-run:
 * stopping to read the counters changes nothing), a well-formed summary and
 * verdict, and facts and probes that agree with the world it ran in.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { CHECKER_NAMES } from "../src/checks/violation.js";
import { faultScheduleArbitrary } from "../src/faults/arbitrary.js";
import type { AnySystemModel } from "../src/run/registry.js";
import type { RunProbe } from "../src/run/system.js";
import { formatProblems, validateScenario } from "../src/scenario/load.js";
import { summarize } from "../src/scenario/run-scenario.js";
import type { Scenario } from "../src/scenario/schema.js";
import { fastCheckSeed } from "./fast-check-setup.js";

/** The system's preset whose run its own estimate says is cheapest. */
export function smallestPreset(system: AnySystemModel): Scenario {
  const scenarios = system.presets.map((preset) => {
    const loaded = validateScenario(preset.document);
    if (!loaded.ok) throw new Error(`${preset.name}: ${formatProblems(loaded.problems)}`);
    return loaded.scenario;
  });
  if (scenarios.length === 0) throw new Error(`system ${system.name} has no presets: the contract needs one to run`);
  return scenarios.reduce((best, scenario) => (system.estimateRun(scenario).events < system.estimateRun(best).events ? scenario : best));
}

const VERDICTS = ["ok", "safety-failed", "liveness-failed"];

export function checkSystemContract(system: AnySystemModel, numRuns: number): void {
  const scenario = smallestPreset(system);
  expect(scenario.system).toBe(system.name);
  const targets = system.faultTargets(scenario);
  const schedules = faultScheduleArbitrary({ nodeNames: targets.nodeNames, partitionNodeNames: targets.partitionNodeNames, trafficClasses: targets.trafficClasses, horizonNs: scenario.duration, faultsMax: 3 });
  fc.assert(
    fc.property(schedules, fc.integer({ min: 0, max: 1_000_000 }), (faults, seed) => {
      const spec = { ...system.runSpecOf(scenario, seed), faults };
      const first = system.run(spec);
      const probesAtNs = [1, 2, 3].map((k) => Math.floor((spec.faultPhaseNs * k) / 3));
      const second = system.run({ ...system.runSpecOf(scenario, seed), faults, probesAtNs });
      expect(second.digest, "the same seed and faults give the same digest, probed or not").toBe(first.digest);
      expect(first.probes).toEqual([]);
      expectProbesWellFormed(second.probes, probesAtNs);
      const summary = summarize(scenario, spec, first);
      expect(VERDICTS).toContain(summary.verdict);
      expect(summary.system).toBe(system.name);
      expect(first.timeNs).toBeLessThanOrEqual(spec.faultPhaseNs + spec.convergeNsMax);
      for (const check of first.checks) {
        expect(CHECKER_NAMES).toContain(check.check);
        for (const count of Object.values(check.counts)) expect(Number.isFinite(count)).toBe(true);
        expect(check.ok === (check.violations.length === 0) || check.check === "unavailability").toBe(true);
      }
      // The run's facts agree with the world it ran in, as plain data.
      const facts = system.facts(spec, first);
      const JSONRoundTrip = JSON.parse(JSON.stringify(facts.world));
      expect(JSONRoundTrip.nodeNames).toEqual([...facts.world.nodeNames]);
      expect(facts.nodeKinds.map((node) => node.name)).toEqual([...facts.world.nodeNames]);
      for (const server of facts.serverNodes) expect(facts.world.nodeNames).toContain(server);
      for (const node of targets.nodeNames) expect(facts.world.nodeNames).toContain(node);
      expect(summary.disks.map((disk) => disk.node)).toEqual([...facts.serverNodes]);
      return true;
    }),
    { numRuns, seed: fastCheckSeed },
  );
}

/** Probes come at the instants asked (fewer if the run ended early), as plain data, with link counters that only grow. */
function expectProbesWellFormed(probes: readonly RunProbe[], probesAtNs: readonly number[]): void {
  expect(JSON.parse(JSON.stringify(probes))).toEqual(probes);
  expect(probes.map((probe) => probe.atNs)).toEqual(probesAtNs.slice(0, probes.length));
  for (let k = 1; k < probes.length; k++) {
    const before = new Map(probes[k - 1]!.world.links.map((link) => [`${link.from}>${link.to}/${link.trafficClass}`, link.bytes]));
    for (const link of probes[k]!.world.links) expect(link.bytes).toBeGreaterThanOrEqual(before.get(`${link.from}>${link.to}/${link.trafficClass}`) ?? 0);
  }
  for (const probe of probes) {
    for (const thread of probe.threads) expect(thread.busyNs >= 0 && thread.count >= 1).toBe(true);
    for (const value of Object.values(probe.gauges)) expect(Number.isFinite(value)).toBe(true);
  }
}
