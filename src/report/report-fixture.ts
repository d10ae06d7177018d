/**
 * A hand-made RunSummary and SweepSummary with realistic numbers (a 3-broker
 * Kafka cluster, acks=all, one broker killed at 3 s and restarted at 15 s),
 * for the report tests and the browser check, and as a worked example of the
 * input shape. The numbers come from closed-form curves, not a simulation, so
 * the reports can be tested without running one.
 */
import { NS_PER_MS, NS_PER_SEC } from "../kernel/time.js";
import { SUMMARY_SCHEMA_VERSION, type LatencySummary, type RunSummary } from "./run-summary.js";
import type { SweepPoint, SweepSummary } from "./sweep-summary.js";

/** Quantile function of a latency distribution: an exponential body plus a failover tail above `tailFrom`. */
function latencyAt(fraction: number, baseMs: number, spreadMs: number, tailFrom: number, tailMaxMs: number): number {
  const bodyFraction = Math.min(fraction, tailFrom);
  const bodyMs = baseMs + spreadMs * -Math.log(1 - bodyFraction);
  if (fraction <= tailFrom) return Math.round(bodyMs * NS_PER_MS);
  const share = (fraction - tailFrom) / (1 - tailFrom);
  return Math.round((bodyMs + share * share * (tailMaxMs - bodyMs)) * NS_PER_MS);
}

function latencySummary(count: number, baseMs: number, spreadMs: number, tailFrom: number, tailMaxMs: number): LatencySummary {
  const at = (fraction: number): number => latencyAt(fraction, baseMs, spreadMs, tailFrom, tailMaxMs);
  const cdf = Array.from({ length: 200 }, (_, k) => ({ ns: at((k + 1) / 200), fraction: (k + 1) / 200 }));
  return { count, p50Ns: at(0.5), p99Ns: at(0.99), p999Ns: at(0.999), maxNs: at(1), cdf };
}

const BUCKET_NS = 500 * NS_PER_MS;
const BUCKETS = 70;
/** Per 500 ms bucket while producing (2000 messages/s for 20 s). */
const PER_BUCKET = 1000;

function ackedTimeline(): number[] {
  return Array.from({ length: BUCKETS }, (_, k) => {
    if (k >= 40) return 0;
    if (k === 6) return 420; // b1 killed at 3 s: its partitions stall until the controller moves leadership
    if (k === 7) return 0;
    if (k === 8) return 1580; // the backlog of retried batches drains at the new leaders
    return PER_BUCKET;
  });
}

function appliedTimeline(): number[] {
  // The consumer group follows one bucket behind, and needs a few buckets to take over b1's partitions.
  return Array.from({ length: BUCKETS }, (_, k) => {
    if (k === 0 || k > 41) return 0;
    if (k >= 7 && k <= 9) return 300;
    if (k === 10 || k === 11) return 1500;
    if (k === 41) return 100;
    return PER_BUCKET;
  });
}

function backlog(acked: readonly number[], applied: readonly number[]): number[] {
  let total = 0;
  return acked.map((count, k) => (total += count - applied[k]!));
}

/** Bytes on every link: b1 sends less to its peers than b2 and b3 do. */
function fixtureLinks(brokers: readonly string[]): RunSummary["traffic"]["byLink"] {
  const byLink: RunSummary["traffic"]["byLink"] = [];
  for (const from of brokers) {
    for (const to of brokers) if (from !== to) byLink.push({ from, to, bytes: from === "b1" ? 1_310_000 : 2_874_000 + to.length * 1000 });
    byLink.push({ from: "p1", to: from, bytes: 1_402_112 }, { from, to: "p1", bytes: 96_340 });
    byLink.push({ from, to: "c1", bytes: 1_388_900 }, { from: "c1", to: from, bytes: 120_448 });
    byLink.push({ from, to: "controller", bytes: 18_240 }, { from: "controller", to: from, bytes: 22_016 });
  }
  return byLink;
}

/** Busy time over the workload's 20 s: every resource well under capacity, b1's disk the busiest (7.5%). */
function fixtureWorkloadBusy(brokers: readonly string[]): RunSummary["workloadBusy"] {
  return {
    elapsedNs: 20 * NS_PER_SEC,
    nics: [...brokers, "controller", "p1", "c1"].map((node, k) => ({ node, egressBusyNs: (320 + k * 58) * 1_000_000, ingressBusyNs: (280 + k * 41) * 1_000_000 })),
    disks: brokers.map((node, k) => ({ node, busyNs: (1_500 - k * 40) * 1_000_000 })),
    threads: [],
  };
}

export function fixtureRunSummary(): RunSummary {
  const acked = ackedTimeline();
  const applied = appliedTimeline();
  const ackedTotal = acked.reduce((a, b) => a + b, 0);
  const appliedTotal = applied.reduce((a, b) => a + b, 0);
  const brokers = ["b1", "b2", "b3"];
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: "kafka-3-brokers-acks-all",
    system: "kafka",
    seed: "42",
    digest: "9f3c2a71d04be6e5",
    verdict: "ok",
    virtualTimeNs: 35 * NS_PER_SEC,
    events: 4_812_337,
    stopReason: "predicate",
    messages: { sent: 40_000, acked: ackedTotal, failed: 0, unknown: 40_000 - ackedTotal, applied: appliedTotal },
    throughput: { ackedPerSec: ackedTotal / 20, ackedBytesPerSec: (ackedTotal / 20) * 100 },
    latency: {
      produce: latencySummary(4_000, 1.2, 0.9, 0.995, 2_400),
      endToEnd: latencySummary(ackedTotal, 6.5, 2.2, 0.99, 3_100),
    },
    timeline: {
      bucketNs: BUCKET_NS,
      acked,
      applied,
      backlogByGroup: [{ group: "g1", values: backlog(acked, applied) }],
      failedSends: acked.map((_, k) => (k === 7 ? 12 : 0)),
      produceLatency: latencyTimeline(acked),
    },
    traffic: {
      byClass: [
        { trafficClass: "kafka-controller", bytes: 241_536 },
        { trafficClass: "kafka-data", bytes: 31_874_020 },
      ],
      byNode: [...brokers, "controller", "p1", "c1"].map((node, k) => ({
        node,
        sentBytes: 4_000_000 + k * 731_000,
        receivedBytes: 3_500_000 + k * 517_000,
      })),
      byLink: fixtureLinks(brokers),
    },
    disks: brokers.map((node, k) => ({
      node,
      writtenBytes: 4_210_000 - k * 13_000,
      fsyncs: 0,
      writeBytesPerSec: (4_210_000 - k * 13_000) / 35,
      lostAtPowerLossBytes: 0,
    })),
    workloadBusy: fixtureWorkloadBusy(brokers),
    checks: [
      { check: "lost", ok: true, line: `lost: ok (${ackedTotal} acked, 1 group)` },
      { check: "duplicated", ok: true, line: `duplicated: ok (${appliedTotal} delivered)` },
      { check: "reordered", ok: true, line: `reordered: ok (${appliedTotal} examined)` },
    ],
    unavailability: { sendSeconds: 1.25, sendRefusedSeconds: 0.5, worstStream: { stream: "orders-0", seconds: 1.25 }, streams: [{ stream: "orders-0", seconds: 1.25, refusedSeconds: 0.5 }], sendErrorSeconds: 0.75, receiveSeconds: 2.5 },
    liveness: { isConverged: true, convergedAtNs: 23_410_000_000, reasons: [] },
    marks: [
      ["kafka.broker.reregistered", 1],
      ["kafka.isr.expand", 6],
      ["kafka.isr.shrink", 6],
      ["kafka.producer.retry", 12],
    ],
    faults: [
      { atNs: 3 * NS_PER_SEC, verb: "processCrash", node: "b1", line: "3 s processCrash b1" },
      { atNs: 15 * NS_PER_SEC, verb: "restart", node: "b1", line: "15 s restart b1" },
    ],
    cluster: { events: fixtureClusterEvents(), leftOut: 0 },
  };
}

/** b1 led orders-0 until its crash at 3 s; the controller fenced it at 3.5 s and b2 took over; b1 came back at 15 s and truncated. */
function fixtureClusterEvents(): NonNullable<RunSummary["cluster"]>["events"] {
  const at = (seconds: number): number => Math.round(seconds * NS_PER_SEC);
  const event = (timeNs: number, kind: string, stream: string, node: string, epoch: number, detail: string, toPosition = -1) => ({ timeNs, kind, stream, node, epoch, detail, toPosition });
  return [
    event(0, "leader", "orders-0", "b1", 1, "preferred replica"),
    event(0, "leader", "orders-1", "b2", 1, "preferred replica"),
    event(at(3.5), "node-down", "", "b1", -1, "fenced by the controller"),
    event(at(3.5), "in-sync", "orders-0", "b1", 1, "ISR b2,b3 (b1 removed by the controller)"),
    event(at(3.5), "leader", "orders-0", "b2", 2, "clean election"),
    event(at(15), "node-up", "", "b1", -1, "unfenced by the controller"),
    event(at(15.01), "truncation", "orders-0", "b1", 2, "offset 7120 → 7100", 7100),
    event(at(16.2), "in-sync", "orders-0", "b2", 2, "ISR b1,b2,b3"),
  ];
}

/** Latency per bucket: 2-3 ms in steady state, the failover's waiting batches at 4.2 s, nothing while nothing was acknowledged. */
function latencyTimeline(acked: readonly number[]): NonNullable<RunSummary["timeline"]["produceLatency"]> {
  const ms = (k: number, factor: number): number | null => (acked[k] === 0 ? null : Math.round((k === 8 ? 1_200 : 2 + (k % 3) * 0.4) * factor * NS_PER_MS));
  return { p50Ns: acked.map((_, k) => ms(k, 1)), p99Ns: acked.map((_, k) => ms(k, 1.6)), maxNs: acked.map((_, k) => ms(k, 2.2)) };
}

/** A 3 × 2 sweep: producer rate against acks, the top rate saturating b1's disk. */
export function fixtureSweepSummary(): SweepSummary {
  const points: SweepPoint[] = [];
  for (const acks of ["1", "all"]) {
    for (const rate of [10_000, 50_000, 100_000]) {
      const saturated = rate === 100_000;
      const p99Ms = (acks === "all" ? 4 : 2) * (saturated ? 12 : 1 + rate / 50_000);
      const ackedPerSec = saturated ? 71_500 : rate;
      points.push({
        parameters: [
          { name: "producer.rate", value: rate },
          { name: "acks", value: acks },
        ],
        seed: "42",
        digest: `${acks === "all" ? "a" : "1"}${rate.toString(16)}c0ffee`,
        verdict: acks === "1" && saturated ? "safety-failed" : "ok",
        metrics: {
          ackedPerSec,
          ackedBytesPerSec: ackedPerSec * 100,
          produceP50Ns: Math.round(p99Ms * 0.3 * NS_PER_MS),
          produceP99Ns: Math.round(p99Ms * NS_PER_MS),
          produceP999Ns: Math.round(p99Ms * 2.5 * NS_PER_MS),
          endToEndP99Ns: Math.round((p99Ms + 5) * NS_PER_MS),
          unavailableSendSeconds: 0,
        },
        bottleneck: saturated ? "b1 disk" : undefined,
      });
    }
  }
  return { scenario: "kafka-rate-vs-acks", system: "kafka", parameters: ["producer.rate", "acks"], points };
}
