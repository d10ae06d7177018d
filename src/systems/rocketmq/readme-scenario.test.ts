import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatProblems, loadScenarioText } from "../../scenario/load.js";
import { runScenario } from "../../scenario/run-scenario.js";

describe("the README's RocketMQ scenario file", () => {
  it("loads and runs to OK as written, with the sends' stall the README describes", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### A RocketMQ scenario file"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    if (yaml === undefined) throw new Error("no yaml block in the README's RocketMQ section");
    const loaded = loadScenarioText(yaml);
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const { summary } = runScenario(loaded.scenario);
    expect(summary.verdict, summary.checks.map((check) => check.line).join("\n")).toBe("ok");
    expect(summary.unavailability.sendErrorSeconds).toBeCloseTo(10.1, 1);
    expect(summary.unavailability.sendSeconds).toBeCloseTo(12, 1);
    expect(summary.unavailability.worstStream?.seconds).toBeCloseTo(3, 1);
  }, 60_000);
});
