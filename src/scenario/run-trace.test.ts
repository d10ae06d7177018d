import { describe, expect, it } from "vitest";
import { validateScenario } from "./load.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";
import { runTrace } from "./run-trace.js";

describe("a run as a Perfetto trace", () => {
  it("has the nodes as processes, the crash as a slice until the heal, the partition on a network track, and batches flowing to the broker that answered", () => {
    const loaded = validateScenario(presetNamed("k3")!.document);
    if (!loaded.ok) throw new Error("preset k3 invalid");
    const trace = runTrace(runScenario(loaded.scenario), "k3");
    const processNames = trace.traceEvents.filter((event) => event.ph === "M" && event.name === "process_name").map((event) => (event.args as { name: string }).name);
    expect(processNames).toEqual(expect.arrayContaining(["b1 (broker)", "b2 (broker)", "b3 (broker)", "controller (controller)", "p1 (client)"]));
    const crash = trace.traceEvents.find((event) => event.ph === "X" && event.name === "processCrash")!;
    expect(crash.ts).toBe(8_000_000);
    // No restart in the schedule: the crash lasts until everything heals at the end of the fault phase.
    expect(crash.dur).toBe(2_000_000);
    expect(trace.traceEvents.some((event) => event.ph === "X" && event.name === "partition")).toBe(true);
    const flowStarts = trace.traceEvents.filter((event) => event.ph === "s").length;
    expect(flowStarts).toBeGreaterThan(150);
    expect(trace.traceEvents.filter((event) => event.ph === "f").length).toBe(flowStarts);
  });

  it("draws a RabbitMQ run the same way: nodes r1…rN as rabbitmq nodes, clients, the crashes as slices", () => {
    const loaded = validateScenario(presetNamed("r4")!.document);
    if (!loaded.ok) throw new Error("preset r4 invalid");
    const trace = runTrace(runScenario(loaded.scenario), "r4");
    const processNames = trace.traceEvents.filter((event) => event.ph === "M" && event.name === "process_name").map((event) => (event.args as { name: string }).name);
    expect(processNames).toEqual(expect.arrayContaining(["r1 (rabbitmq node)", "r2 (rabbitmq node)", "r3 (rabbitmq node)", "shop (client)"]));
    expect(trace.traceEvents.filter((event) => event.ph === "X" && event.name === "processCrash")).toHaveLength(2);
    expect(trace.traceEvents.filter((event) => event.ph === "s").length).toBeGreaterThan(500);
  });
});
