/**
 * A new system is its folder and one line in src/systems/index.ts. Shown
 * with a test-only system (fake/, a one-server log queue) added to the
 * registry the way that line adds it: the scenario file, presets, runs,
 * summaries, traces, the fault search and the system contract all take it,
 * and nothing outside its folder changed.
 */
import { describe, expect, it, vi } from "vitest";
import { checkSystemContract } from "../../properties/system-contract.js";
import { checkScenario } from "../scenario/check-scenario.js";
import { formatProblems, validateScenario } from "../scenario/load.js";
import { presetNamed, PRESETS } from "../scenario/presets.js";
import { runScenario } from "../scenario/run-scenario.js";
import { runTrace } from "../scenario/run-trace.js";
import type { Scenario } from "../scenario/schema.js";
import { fakeSystem } from "./fake/system.test-support.js";
import type { FakeRunResult, FakeRunSpec } from "./fake/model.test-support.js";
import { SYSTEMS } from "./index.js";

vi.mock("./index.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./index.js")>();
  const { registryOf } = await import("../run/registry.js");
  const { fakeSystem } = await import("./fake/system.test-support.js");
  // The one line a new system adds to src/systems/index.ts: its model in the registry's list.
  const registry = registryOf([...actual.SYSTEMS, fakeSystem] as const);
  return { ...actual, SYSTEMS: registry.systems, systemNamed: registry.systemNamed };
});

/** Why the contract failed (fast-check keeps the assertion as the error's cause), or "kept". */
function contractFailure(system: Parameters<typeof checkSystemContract>[0]): string {
  try {
    checkSystemContract(system, 2);
    return "kept";
  } catch (error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : String(error);
  }
}

function fakeScenario(fsync: boolean): Scenario {
  const document = structuredClone(presetNamed("fake-no-fsync")!.document);
  (document["cluster"] as Record<string, unknown>)["fsync"] = fsync;
  const loaded = validateScenario(document);
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
  return loaded.scenario;
}

describe("a system added by one line in the registry", () => {
  it("is a scenario `system`, with its own config names checked at their paths", () => {
    expect(SYSTEMS.map((system) => system.name)).toEqual(["kafka", "rabbitmq", "rocketmq", "activemq", "fake"]);
    const loaded = validateScenario({ system: "fake", duration: "1s", cluster: { fsync: "yes" }, producers: [{ name: "p1", rate: "10/s" }] });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.map((p) => p.path)).toEqual(["cluster.fsync"]);
    const unknown = validateScenario({ system: "nats", duration: "1s" });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.problems[0]!.message).toMatch(/"kafka" or "rabbitmq" or "rocketmq" or "activemq" or "fake"/);
    const noNode = validateScenario({ system: "fake", duration: "1s", cluster: {}, producers: [{ name: "p1", rate: "10/s" }], faults: [{ at: "0s", verb: "processCrash", node: "b1" }] });
    expect(noNode.ok).toBe(false);
    if (!noNode.ok) expect(noNode.problems[0]!.path).toBe("faults[0].node");
  });

  it("brings its presets, which run to the verdict they promise: acknowledging before fsync loses writes to a power loss, fsync first does not", () => {
    expect(PRESETS.some((preset) => preset.name === "fake-no-fsync")).toBe(true);
    const unsafe = runScenario(fakeScenario(false));
    expect(unsafe.summary.verdict).toBe("safety-failed");
    const lost = unsafe.summary.checks.find((check) => check.check === "lost");
    expect(lost?.counts?.["lost"] ?? 0).toBeGreaterThan(0);
    const safe = runScenario(fakeScenario(true));
    expect(safe.summary.verdict).toBe("ok");
    expect(safe.summary.messages.acked).toBeGreaterThan(200);
    // Summaries read its world: disks of its server, bytes of its traffic class.
    expect(safe.summary.disks.map((disk) => disk.node)).toEqual(["q1"]);
    expect(safe.summary.disks[0]!.fsyncs).toBeGreaterThan(0);
    expect(safe.summary.traffic.byClass.map((entry) => entry.trafficClass)).toEqual(["fake-data"]);
    expect(runScenario(fakeScenario(true)).summary.digest).toBe(safe.summary.digest);
    expect(runTrace(safe, "fake").traceEvents.length).toBeGreaterThan(0);
  });

  it("is searched for counterexamples by the shared fault search, over its own fault targets", () => {
    const found = checkScenario(fakeScenario(false), { runs: 30, searchSeed: 1, faultKinds: ["power-loss"] });
    expect(found.found).toBe(true);
    expect(found.counterexample).not.toBeNull();
  });

  it("keeps the system contract every registered system keeps", () => {
    const fake = SYSTEMS.find((system) => (system.name as string) === "fake");
    expect(fake).toBeDefined();
    checkSystemContract(fake!, 5);
  });

  it("fails the contract when a system's runs do not replay from their seed, or its facts disagree with its world", () => {
    const fake = fakeSystem;
    let runs = 0;
    const drifting = { ...fake, run: (spec: FakeRunSpec) => ({ ...fake.run(spec), digest: `run ${runs++}` }) };
    expect(contractFailure(drifting)).toMatch(/same digest/);
    const misplaced = { ...fake, facts: (spec: FakeRunSpec, result: FakeRunResult) => ({ ...fake.facts(spec, result), serverNodes: ["q9"] }) };
    expect(contractFailure(misplaced)).toMatch(/q9/);
  });
});
