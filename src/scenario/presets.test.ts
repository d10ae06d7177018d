/**
 * Every built-in preset is a valid scenario document, runs, and reaches the
 * verdict it promises: the unsafe settings fail their check, the safe ones
 * pass.
 */
import { describe, expect, it } from "vitest";
import { formatProblems, validateScenario } from "./load.js";
import { PRESETS } from "./presets.js";
import { runScenario } from "./run-scenario.js";

describe("built-in presets", () => {
  it("have unique names and cover the tour's claims and the Kafka and RabbitMQ anomalies", () => {
    const names = PRESETS.map((preset) => preset.name);
    expect(new Set(names).size).toBe(names.length);
    const claims = new Set(PRESETS.map((preset) => preset.claim));
    for (const claim of ["C1", "C2", "C3", "C5", "C6", "C7", "C8", "C9", "C10", "C14", "C15", "K1", "K2", "K3", "K4", "K12", "R3", "R4"]) expect(claims.has(claim), claim).toBe(true);
  });

  it("C1: a consumer group added mid-run receives everything and changes nothing for the producer", () => {
    const document = PRESETS.find((preset) => preset.name === "c1-fan-out")!.document as { consumers: { group: string }[] };
    const withoutLateGroup = { ...document, consumers: document.consumers.filter((group) => group.group !== "analytics") };
    const run = (doc: unknown) => {
      const loaded = validateScenario(doc);
      if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
      return runScenario(loaded.scenario).summary;
    };
    const [late, none] = [run(document), run(withoutLateGroup)];
    expect(late.verdict).toBe("ok");
    expect(late.messages.acked).toBe(none.messages.acked);
    // Produce latency with and without the late group: the same to within a few per cent.
    expect(Math.abs(late.latency.produce.p50Ns - none.latency.produce.p50Ns) / none.latency.produce.p50Ns).toBeLessThan(0.05);
    expect(Math.abs(late.latency.produce.p99Ns - none.latency.produce.p99Ns) / none.latency.produce.p99Ns).toBeLessThan(0.1);
  });

  it("C2: behind a queue the user waits milliseconds; in a synchronous chain, for every service", () => {
    const request = (name: string) => {
      const loaded = validateScenario(PRESETS.find((preset) => preset.name === name)!.document);
      if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
      return runScenario(loaded.scenario).summary;
    };
    const chain = request("c2-synchronous-chain");
    const queued = request("c2-publish-to-queue");
    // 3 + 300 + 450 + 200 ms of calls, plus the publish.
    expect(chain.latency.request!.p50Ns).toBeGreaterThan(953e6);
    expect(chain.latency.request!.p50Ns).toBeLessThan(960e6);
    // The order write and the publish only; the rest happens behind the queue, about a second end to end.
    expect(queued.latency.request!.p99Ns).toBeLessThan(10e6);
    expect(queued.latency.endToEnd!.p50Ns).toBeGreaterThan(950e6);
    expect(queued.messages.applied).toBe(queued.messages.acked);
  });

  it.each(PRESETS.map((preset) => [preset.name, preset] as const))("%s runs to its promised verdict", (_name, preset) => {
    const loaded = validateScenario(preset.document);
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const { summary } = runScenario(loaded.scenario);
    expect(summary.verdict, summary.checks.filter((check) => !check.ok).map((check) => check.line).join("\n")).toBe(preset.expect);
  }, 120_000);
});
