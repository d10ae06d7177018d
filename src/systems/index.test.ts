import { describe, expect, it } from "vitest";
import { smallestPreset } from "../../properties/system-contract.js";
import { runScenario } from "../scenario/run-scenario.js";
import { SYSTEMS, systemNamed } from "./index.js";

describe("the systems registry", () => {
  it("lists each system once, and a name it does not list is an error that names the known ones", () => {
    const names = SYSTEMS.map((system) => system.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(systemNamed(name).name).toBe(name);
    expect(() => systemNamed("pulsar")).toThrow(/no system named "pulsar" \(known: kafka, rabbitmq, rocketmq, activemq\)/);
  });

  it.each(SYSTEMS.map((system) => system.name))("%s: runs a scenario twice from its seed to the same digest, and tells its facts as plain data", (name) => {
    const loaded = { scenario: smallestPreset(systemNamed(name)) };
    expect(loaded.scenario.system).toBe(name);
    const first = runScenario(loaded.scenario);
    const second = runScenario(loaded.scenario);
    expect(second.summary.digest).toBe(first.summary.digest);
    const facts = systemNamed(name).facts(first.spec, first.result);
    expect(facts.serverNodes.length).toBeGreaterThan(0);
    // Every node of the world has a kind, and the servers are exactly the nodes of the system's own kind.
    expect(facts.nodeKinds.map((node) => node.name)).toEqual(facts.world.nodeNames);
    for (const server of facts.serverNodes) expect(facts.world.nodeNames).toContain(server);
    expect(facts.clientMessageBytes.every(([, bytes]) => bytes > 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(facts.interNode(1_000, 500))).perAckedByte).toBe(2);
    expect(["ok", "safety-failed", "liveness-failed"]).toContain(first.summary.verdict);
    // What a fault search may target: the servers at least, and every crashable node may be cut off too.
    const targets = systemNamed(name).faultTargets(loaded.scenario);
    for (const server of facts.serverNodes) expect(targets.nodeNames).toContain(server);
    for (const node of targets.nodeNames) expect(targets.partitionNodeNames).toContain(node);
    expect(targets.trafficClasses.length).toBeGreaterThan(0);
    expect(systemNamed(name).offeredLoad(loaded.scenario).length).toBeGreaterThan(0);
  });
});
