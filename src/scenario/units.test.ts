import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDurationNs, parseBandwidthBytesPerSec, parseDurationNs, parseRatePerSec, parseSizeBytes, UNIT_VALUE_MAX } from "./units.js";

describe("parseDurationNs", () => {
  it.each([
    ["7ns", 7],
    ["250us", 250_000],
    ["250µs", 250_000],
    ["250μs", 250_000], // Greek mu, as some keyboards type it
    ["10ms", 10_000_000],
    ["2s", 2_000_000_000],
    ["3m", 180_000_000_000],
    ["3min", 180_000_000_000],
    ["1.5h", 5_400_000_000_000],
    ["1d", 86_400_000_000_000],
  ])("reads each unit: %s", (text, ns) => {
    expect(parseDurationNs(text)).toBe(ns);
  });

  it("accepts a bare 0, surrounding blanks, a space before the unit and a leading decimal point", () => {
    expect(parseDurationNs("0")).toBe(0);
    expect(parseDurationNs(" 0 ")).toBe(0);
    expect(parseDurationNs("  10ms ")).toBe(10_000_000);
    expect(parseDurationNs("10 ms")).toBe(10_000_000);
    expect(parseDurationNs(".5s")).toBe(500_000_000);
    expect(parseDurationNs("0s")).toBe(0);
  });

  it("rounds to whole nanoseconds, half away from zero", () => {
    expect(parseDurationNs("0.4ns")).toBe(0);
    expect(parseDurationNs("1.5ns")).toBe(2);
    expect(parseDurationNs("2.5ns")).toBe(3);
    expect(parseDurationNs("0.0000001s")).toBe(100);
    expect(parseDurationNs("1.0005us")).toBe(1_001);
  });

  it("accepts up to Number.MAX_SAFE_INTEGER nanoseconds and nothing above", () => {
    expect(parseDurationNs(`${UNIT_VALUE_MAX}ns`)).toBe(UNIT_VALUE_MAX);
    expect(parseDurationNs(`${UNIT_VALUE_MAX + 1}ns`)).toBeNull();
    expect(parseDurationNs("105d")).toBeNull(); // 9.07e15 ns
    expect(parseDurationNs("99999999999999999999d")).toBeNull();
  });

  it.each(["", " ", "10", "ms", "-5ms", "+5ms", "1e3s", "1e9999s", "10 parsecs", "10MS", "10 s s", "NaN s", "Infinitys", "1,5s", "5.s", "0x10s", "1_000ms", "10ms10ms", "٣s"])(
    "refuses %j",
    (text) => {
      expect(parseDurationNs(text)).toBeNull();
    },
  );
});

describe("parseSizeBytes", () => {
  it.each([
    ["100B", 100],
    ["1KB", 1_000],
    ["4MB", 4_000_000],
    ["2GB", 2_000_000_000],
    ["1TB", 1_000_000_000_000],
    ["1KiB", 1_024],
    ["1MiB", 1_048_576],
    ["1GiB", 1_073_741_824],
    ["1TiB", 1_099_511_627_776],
    ["1.5KiB", 1_536],
    ["2 MB", 2_000_000],
  ])("reads %s", (text, bytes) => {
    expect(parseSizeBytes(text)).toBe(bytes);
  });

  it("rounds to whole bytes", () => {
    expect(parseSizeBytes("1.5B")).toBe(2);
    expect(parseSizeBytes("0.4B")).toBe(0);
    expect(parseSizeBytes("0.001KiB")).toBe(1);
  });

  it.each(["", "0", "100", "1kb", "1kB", "1 KIB", "-1B", "1b", "1PB", "1e3B", "8192TiB", "1KiB/s"])("refuses %j", (text) => {
    expect(parseSizeBytes(text)).toBeNull();
  });
});

describe("parseBandwidthBytesPerSec", () => {
  it.each([
    ["8bps", 1],
    ["8Kbps", 1_000],
    ["8Mbps", 1_000_000],
    ["10Gbps", 1_250_000_000],
    ["1Tbps", 125_000_000_000],
    ["200MB/s", 200_000_000],
    ["1KiB/s", 1_024],
    ["1GiB/s", 1_073_741_824],
    ["100B/s", 100],
    ["1 Gbps", 125_000_000],
  ])("reads %s", (text, bytesPerSec) => {
    expect(parseBandwidthBytesPerSec(text)).toBe(bytesPerSec);
  });

  it("rounds bits to whole bytes", () => {
    expect(parseBandwidthBytesPerSec("1bps")).toBe(0);
    expect(parseBandwidthBytesPerSec("12bps")).toBe(2); // 1.5 bytes
  });

  it.each(["", "10", "10Gb/s", "10gbps", "10GBps", "10Gbit/s", "1TB/s", "-1Gbps", "10 Gbps/s", "1e9bps"])("refuses %j", (text) => {
    expect(parseBandwidthBytesPerSec(text)).toBeNull();
  });
});

describe("parseRatePerSec", () => {
  it.each([
    ["50/s", 50],
    ["5k/s", 5_000],
    ["5K/s", 5_000],
    ["1.2M/s", 1_200_000],
    ["10/sec", 10],
    ["600/min", 10],
    ["60/m", 1],
    ["3600/h", 1],
    ["5 k / sec", 5_000],
    ["0/s", 0],
  ])("reads %s", (text, perSecond) => {
    expect(parseRatePerSec(text)).toBeCloseTo(perSecond, 9);
  });

  it("keeps fractions (rates are not rounded)", () => {
    expect(parseRatePerSec("1/min")).toBeCloseTo(1 / 60, 12);
    expect(parseRatePerSec("0.5/s")).toBe(0.5);
  });

  it.each(["", "5", "5k", "5/d", "5G/s", "-5/s", "5/s/s", "5 per s", "5kk/s", "1e3/s", "5m/s"])("refuses %j", (text) => {
    expect(parseRatePerSec(text)).toBeNull();
  });
});

describe("formatDurationNs", () => {
  it.each([
    [0, "0"],
    [7, "7ns"],
    [1_000, "1us"],
    [1_500_000, "1.5ms"],
    [10_000_000, "10ms"],
    [30_000_000_000, "30s"],
    [90_000_000_000, "1.5min"],
    [1_001_000_000, "1.001s"],
    [1_000_000_001, "1000000.001us"],
    [1_234_567, "1234.567us"],
    [86_400_000_000_000, "1d"],
  ])("writes %d as %s", (ns, text) => {
    expect(formatDurationNs(ns)).toBe(text);
  });

  it("is read back exactly by parseDurationNs", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: UNIT_VALUE_MAX }), fc.integer({ min: 0, max: 10_000 }).map((n) => n * 1_000_000)), (ns) => {
        expect(parseDurationNs(formatDurationNs(ns))).toBe(ns);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("the parsers on arbitrary text", () => {
  it("never throw, and return null or a finite value in range", () => {
    const parsers = [parseDurationNs, parseSizeBytes, parseBandwidthBytesPerSec, parseRatePerSec];
    const unitish = fc.stringMatching(/^-?[0-9.]{0,25}(e[0-9]{1,4})? ?[kKM]?(ns|us|µs|ms|s|min|m|h|d|B|KB|MiB|bps|Gbps|MB\/s|\/s|\/min)?$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), unitish), (text) => {
        for (const parse of parsers) {
          const value = parse(text);
          if (value !== null) {
            expect(Number.isFinite(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(UNIT_VALUE_MAX);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
