import { describe, expect, it } from "vitest";
import { humanizeScenario } from "./humanize.js";
import { validateScenario } from "./load.js";
import { PRESETS } from "./presets.js";
import { formatBandwidthBytesPerSec, formatRatePerSec, formatSizeBytes, parseBandwidthBytesPerSec, parseRatePerSec, parseSizeBytes } from "./units.js";

describe("scenarios in human units", () => {
  it("sizes, bandwidths and rates are written in the shortest form that reads back exactly", () => {
    expect([100, 1_024, 4_000_000, 1_073_741_824, 1_500].map(formatSizeBytes)).toEqual(["100B", "1KiB", "4MB", "1GiB", "1.5KB"]);
    expect([1_250_000_000, 125_000_000, 200_000_000, 3].map(formatBandwidthBytesPerSec)).toEqual(["10Gbps", "1Gbps", "1.6Gbps", "3B/s"]);
    expect([20, 5_000, 1_200_000, 0.5, 1_234_567].map(formatRatePerSec)).toEqual(["20/s", "5k/s", "1.2M/s", "0.5/s", "1234567/s"]);
    for (const bytes of [1, 999, 1_023, 65_537, 123_456_789]) expect(parseSizeBytes(formatSizeBytes(bytes))).toBe(bytes);
    for (const bytesPerSec of [1, 7, 1_000_001, 1_250_000_000]) expect(parseBandwidthBytesPerSec(formatBandwidthBytesPerSec(bytesPerSec))).toBe(bytesPerSec);
    for (const perSecond of [1, 33.3, 999_999, 2_000_000]) expect(parseRatePerSec(formatRatePerSec(perSecond))).toBe(perSecond);
  });

  it("every preset as mqsim show prints it reads back as the same scenario, and as run expands it shows no raw nanoseconds, bytes or rates", () => {
    for (const preset of PRESETS) {
      const original = validateScenario(preset.document);
      if (!original.ok) throw new Error(`${preset.name}: ${JSON.stringify(original.problems)}`);
      const shown = humanizeScenario(preset.document);
      expect(JSON.stringify(shown), preset.name).not.toMatch(/\d{7,}ns"/);
      const fromShown = validateScenario(shown);
      expect(fromShown.ok && fromShown.scenario, preset.name).toEqual(original.scenario);
      const expanded = JSON.stringify(humanizeScenario(original.scenario));
      expect(expanded, preset.name).not.toMatch(/"(duration|at|atNs|startAt|latency|processingTime|nic|value|perSecond|median|convergeWithin|maxMemory|memory|messageSize|rate)":\d{4,}/);
    }
  });

  it("a duration written as a distribution keeps its shape parameter as a number", () => {
    const humanized = humanizeScenario({ processingTime: { kind: "lognormal", median: 2_000_000, sigma: 0.5 }, rate: { kind: "piecewise", steps: [{ at: 0, rate: 50 }, { at: 3_600_000_000_000, rate: 5_000 }] } });
    expect(humanized).toEqual({ processingTime: { kind: "lognormal", median: "2ms", sigma: 0.5 }, rate: { kind: "piecewise", steps: [{ at: "0", rate: "50/s" }, { at: "1h", rate: "5k/s" }] } });
  });
});
