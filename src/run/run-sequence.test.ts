import { describe, expect, it } from "vitest";
import { FAKE_SERVER, runFake, type FakeRunSpec } from "../systems/fake/model.test-support.js";

const SPEC: FakeRunSpec = {
  seed: 7,
  faults: [],
  faultPhaseNs: 2_000_000_000,
  convergeNsMax: 2_000_000_000,
  // Acknowledged without an fsync, so the producer's rate, not the disk, paces the bytes.
  fsync: false,
  producers: [{ name: "p1", ratePerSec: 500 }],
};

describe("the run sequence's probes", () => {
  it("take the counters at the instants asked without changing the run", () => {
    const plain = runFake(SPEC);
    const probed = runFake({ ...SPEC, probesAtNs: [500_000_000, 1_000_000_000, 2_000_000_000] });
    expect(probed.digest).toBe(plain.digest);
    expect(probed.events).toBe(plain.events);
    expect(probed.probes.map((probe) => probe.atNs)).toEqual([500_000_000, 1_000_000_000, 2_000_000_000]);
    const bytesToServer = probed.probes.map((probe) => probe.world.links.filter((link) => link.to === FAKE_SERVER).reduce((sum, link) => sum + link.bytes, 0));
    expect(bytesToServer[0]).toBeGreaterThan(0);
    // The producer sends at a steady rate: the second second carries about twice the first half-second's bytes.
    expect((bytesToServer[2]! - bytesToServer[1]!) / bytesToServer[0]!).toBeCloseTo(2, 0);
    expect(probed.probes[0]!.gauges["sends in flight"]).toBeGreaterThanOrEqual(0);
    expect(plain.probes).toEqual([]);
  });

  it("are refused out of order or past the fault phase: a bench asking for them is wrong", () => {
    expect(() => runFake({ ...SPEC, probesAtNs: [1_000_000_000, 500_000_000] })).toThrow(/strictly increasing/);
    expect(() => runFake({ ...SPEC, probesAtNs: [3_000_000_000] })).toThrow(/within the fault phase/);
  });

  it("stop when the run ends early, so a budget still ends the run", () => {
    const result = runFake({ ...SPEC, eventsMax: 50, probesAtNs: [500_000_000, 1_000_000_000] });
    expect(result.stopReason).toBe("events-budget");
    expect(result.probes).toEqual([]);
  });
});

describe("deferred checks", () => {
  it("leave the checking to the caller, with the final read's inputs as plain data", () => {
    const checked = runFake(SPEC);
    const deferred = runFake({ ...SPEC, deferChecks: true });
    expect(deferred.digest).toBe(checked.digest);
    expect(checked.checks.length).toBeGreaterThan(0);
    expect(deferred.checks).toEqual([]);
    expect(deferred.checkInputs).toEqual(checked.checkInputs);
    expect(deferred.checkInputs.finalLogs?.[0]?.entries.length).toBeGreaterThan(0);
  });
});

describe("progress reports", () => {
  it("tell how far the run got, every 1% of the fault phase and at each convergence poll, without changing the run", () => {
    const reports: { phase: string; nowNs: number; untilNs: number }[] = [];
    const plain = runFake(SPEC);
    const watched = runFake({ ...SPEC, onProgress: (progress) => reports.push({ ...progress }) });
    expect(watched.digest).toBe(plain.digest);
    expect(watched.events).toBe(plain.events);
    const faults = reports.filter((report) => report.phase === "faults");
    expect(faults).toHaveLength(100);
    expect(faults.map((report) => report.nowNs)).toEqual(Array.from({ length: 100 }, (_, k) => (k + 1) * 20_000_000));
    expect(faults.every((report) => report.untilNs === SPEC.faultPhaseNs)).toBe(true);
    const converging = reports.filter((report) => report.phase === "converging");
    expect(converging.length).toBeGreaterThan(0);
    expect(converging[0]).toMatchObject({ nowNs: SPEC.faultPhaseNs, untilNs: SPEC.faultPhaseNs + SPEC.convergeNsMax });
  });

  it("stop with the run when a budget ends it", () => {
    const reports: number[] = [];
    const result = runFake({ ...SPEC, eventsMax: 50, onProgress: (progress) => reports.push(progress.nowNs) });
    expect(result.stopReason).toBe("events-budget");
    expect(reports.length).toBeLessThan(100);
  });
});
