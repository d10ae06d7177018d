/** The runs grouped and summed the way the report's sections read them. */
import { DEFAULT_BROKER_CONFIG, type Acks } from "../../src/systems/kafka/config.js";
import { resolveProducerConfig } from "../../src/systems/kafka/producer-config.js";
import type { RunReport } from "./measure.js";
import { ACKS, BROKER_CONFIG, SCAN_COUNT, SCAN_FIRST_OFFSET_NS, SCAN_STEP_NS, type ScenarioId } from "./scenarios.js";

export function byAcks(runs: readonly RunReport[], scenario: ScenarioId, acks: Acks): RunReport[] {
  return runs.filter((run) => run.scenario === scenario && run.acks === acks);
}

function one(runs: readonly RunReport[], scenario: ScenarioId, acks: Acks): RunReport {
  const found = byAcks(runs, scenario, acks);
  if (found.length !== 1) throw new Error(`${found.length} runs of ${scenario} with acks=${acks}`);
  return found[0]!;
}

export interface SweepTotals {
  runs: number;
  runsWithLoss: number;
  acked: number;
  lost: number;
  unseen: number;
  errorMessages: number;
  unknownMessages: number;
  failedAttempts: number;
  longestAckGapNs: number;
  maxLatencyNs: number;
  /** The most partitions stalled (> STALL_NS without an acknowledgement) in one run. */
  partitionsStalledMax: number;
}

function sweepTotals(runs: readonly RunReport[]): SweepTotals {
  const totals: SweepTotals = { runs: runs.length, runsWithLoss: 0, acked: 0, lost: 0, unseen: 0, errorMessages: 0, unknownMessages: 0, failedAttempts: 0, longestAckGapNs: 0, maxLatencyNs: 0, partitionsStalledMax: 0 };
  for (const run of runs) {
    if (run.lost + run.unseen > 0) totals.runsWithLoss++;
    totals.acked += run.acked;
    totals.lost += run.lost;
    totals.unseen += run.unseen;
    totals.errorMessages += run.errorMessages;
    totals.unknownMessages += run.unknownMessages;
    totals.failedAttempts += run.failedAttempts;
    totals.longestAckGapNs = Math.max(totals.longestAckGapNs, run.longestAckGapNs);
    totals.maxLatencyNs = Math.max(totals.maxLatencyNs, run.latency.maxNs);
    totals.partitionsStalledMax = Math.max(totals.partitionsStalledMax, run.partitionsStalled);
  }
  return totals;
}

/** Everything the report's sections read: the runs by scenario and acks, sweep totals, the settings in force. */
export type ReportContext = ReturnType<typeof reportContext>;

export function reportContext(runs: readonly RunReport[], source: string) {
  const steadyRuns = ACKS.map((acks) => one(runs, "steady", acks));
  const saturatedRuns = ACKS.map((acks) => one(runs, "saturated", acks));
  const sweep = ACKS.map((acks) => sweepTotals(byAcks(runs, "kill9", acks)));
  const scan = ACKS.map((acks) => sweepTotals(byAcks(runs, "kill9-scan", acks)));
  const powerRuns = ACKS.map((acks) => one(runs, "power-loss", acks));
  const lagRuns = ACKS.map((acks) => one(runs, "lagging-followers", acks));
  const fastRuns = ACKS.map((acks) => one(runs, "fast-restart", acks));
  const producer = ACKS.map((acks) => resolveProducerConfig({ acks }));
  const p0 = producer[0]!.kafka;
  const broker = { ...DEFAULT_BROKER_CONFIG, ...BROKER_CONFIG };
  const [steady0, steady1, steadyAll] = steadyRuns as [RunReport, RunReport, RunReport];
  const [lag0, lag1, lagAll] = lagRuns as [RunReport, RunReport, RunReport];
  const [power0, power1, powerAll] = powerRuns as [RunReport, RunReport, RunReport];
  const fast0 = fastRuns[0]!;
  const totalUnseen = runs.reduce((sum, r) => sum + r.unseen, 0);
  const sessionSec = broker["broker.session.timeout.ms"] / 1000;
  const scanLossOffsets = (acks: Acks, seal: number): number[] =>
    byAcks(runs, "kill9-scan", acks)
      .filter((r) => Math.floor(r.variant / SCAN_COUNT) === seal && r.lost + r.unseen > 0)
      .map((r) => SCAN_FIRST_OFFSET_NS + (r.variant % SCAN_COUNT) * SCAN_STEP_NS);
  const scanLast = SCAN_FIRST_OFFSET_NS + (SCAN_COUNT - 1) * SCAN_STEP_NS;
  const stalled = (i: number): number => Math.max(sweep[i]!.partitionsStalledMax, powerRuns[i]!.partitionsStalled, lagRuns[i]!.partitionsStalled);
  const longestGap = (i: number): number => Math.max(sweep[i]!.longestAckGapNs, powerRuns[i]!.longestAckGapNs);
  return {
    runs,
    source,
    steadyRuns,
    saturatedRuns,
    sweep,
    scan,
    powerRuns,
    lagRuns,
    fastRuns,
    producer,
    p0,
    broker,
    steady0,
    steady1,
    steadyAll,
    lag0,
    lag1,
    lagAll,
    power0,
    power1,
    powerAll,
    fast0,
    totalUnseen,
    sessionSec,
    scanLossOffsets,
    scanLast,
    stalled,
    longestGap,
  };
}
