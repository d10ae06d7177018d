/**
 * The Kafka rows of the anomaly table (../shared/design.md): K1, K2, K3, K4
 * and K12, each as
 * - an unsafe configuration and the fault family that breaks it, for a
 *   fast-check search that must find and shrink a counterexample;
 * - the safe counterpart, for the same search, which must find nothing;
 * - the test that tells this anomaly from any other failure (the checks that
 *   fail, and the coverage marks that show the mechanism, e.g. an unclean
 *   election for K3).
 *
 * Runs are small (3 brokers, 200 messages, 10 s of faults) so a search of a
 * few hundred runs takes seconds. Power loss is never among the faults: with
 * Kafka's default of no fsync it loses acknowledged writes under every
 * configuration (KIP-966), which would mask the anomaly being looked for.
 */
import type { FaultSchedule } from "../../faults/fault.js";
import type { KafkaBrokerConfig, KafkaProducerConfig } from "./config.js";
import type { KafkaConsumerConfig } from "./consumer-config.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "./protocol.js";
import type { FaultRun } from "../../faults/search.js";
import { anomalyProperty as sharedAnomalyProperty, judgeAnomaly, type AnomalyJudgement, type AnomalySetting, type SystemAnomaly } from "../../run/anomaly.js";
import { failedChecks, runKafka, type KafkaRunResult, type KafkaRunSpec } from "./run.js";

const SECOND = 1_000_000_000;

export type KafkaAnomalyId = "K1" | "K2" | "K3" | "K4" | "K12";

export interface KafkaSetting {
  broker: Partial<KafkaBrokerConfig>;
  producer: Partial<KafkaProducerConfig>;
  consumer?: Partial<KafkaConsumerConfig>;
}

/** A Kafka row of the anomaly table: the shared shape (src/run/anomaly.ts) with Kafka's settings and cluster. */
export interface KafkaAnomaly extends SystemAnomaly<KafkaRunResult> {
  id: KafkaAnomalyId;
  unsafe: KafkaSetting;
  safe: KafkaSetting;
  brokers: number;
  replicationFactor: number;
  /** Consumer group members (K12); none means only the final read. */
  consumers: number;
}

/** What each Kafka search may spend: 400 generated runs to find the anomaly, shrinking unbounded. */
const SEARCH = { findRunsMax: 400 };

/** A row as written below, before it is given the shared parts (its search budget and its run). */
type KafkaAnomalyRow = Omit<KafkaAnomaly, "search" | "run">;

function kafkaAnomalyOf(row: KafkaAnomalyRow): KafkaAnomaly {
  const anomaly: KafkaAnomaly = { ...row, search: SEARCH, run: (setting, seed, faults) => runKafka(anomalyRunSpec(anomaly, setting, seed, faults)) };
  return anomaly;
}

const FAULT_PHASE_NS = 10 * SECOND;
const BROKERS_3 = ["b1", "b2", "b3"];

/** Fast failure detection, so a 10 s fault phase sees fencing, ISR changes and elections. */
const TIMING: Partial<KafkaBrokerConfig> = {
  "replica.lag.time.max.ms": 2_000,
  "broker.session.timeout.ms": 3_000,
  "broker.heartbeat.interval.ms": 500,
};

const PRODUCER: Partial<KafkaProducerConfig> = { "request.timeout.ms": 2_000, "delivery.timeout.ms": 60_000 };

/** The safe configuration of the issue: RF 3, acks=all, min.insync=2, no unclean election, KIP-101 truncation, idempotence. */
const SAFE: KafkaSetting = {
  broker: { "min.insync.replicas": 2, "unclean.leader.election.enable": false, "mqsim.truncation": "leader-epoch" },
  producer: { acks: "all", "enable.idempotence": true },
};

const marked = (result: KafkaRunResult, mark: string): number => result.marks.find(([name]) => name === mark)?.[1] ?? 0;

const KAFKA_ANOMALY_ROWS: readonly KafkaAnomalyRow[] = [
  {
    id: "K1",
    title: "Jepsen 2013: ISR shrinks to a leader cut off on the data port, which keeps acknowledging; then an out-of-sync replica is elected",
    effect: "acknowledged writes lost",
    // Kafka 0.8's behaviour: no min.insync.replicas (1), unclean election always possible.
    unsafe: { broker: { "min.insync.replicas": 1, "unclean.leader.election.enable": true }, producer: { acks: "all", "enable.idempotence": true } },
    safe: SAFE,
    brokers: 3,
    replicationFactor: 3,
    consumers: 0,
    // Partitions only, as in the Jepsen test: some cut only the data port, so sessions survive.
    schedules: { nodeNames: BROKERS_3, horizonNs: FAULT_PHASE_NS, faultsMax: 8, verbs: ["partition", "heal"], trafficClasses: [DATA_CLASS, CONTROLLER_CLASS] },
    checks: ["lost"],
    mechanism: (result) => (marked(result, "kafka.election.unclean") > 0 ? null : "no unclean election"),
    named: {
      seed: 1,
      faults: [
        // b1 leads t-0; it is cut off from the other brokers on the data port only (clients still reach it,
        // the controller still hears it): the ISR shrinks to b1, which goes on acknowledging.
        { atNs: 1 * SECOND, verb: "partition", name: "data-cut", spec: { kind: "total", groups: [["b1"], ["b2", "b3"]], classes: [DATA_CLASS] } },
        // Then b1 is isolated entirely: it is fenced and a lagging replica is elected.
        { atNs: 5 * SECOND, verb: "partition", name: "isolated", spec: { kind: "isolate", nodes: ["b1"] } },
      ],
    },
  },
  {
    id: "K2",
    title: "acks=1: the leader acknowledges before the followers have fetched, then dies",
    effect: "acknowledged writes lost",
    unsafe: { broker: { "min.insync.replicas": 1, "unclean.leader.election.enable": false }, producer: { acks: 1, "enable.idempotence": false } },
    safe: SAFE,
    brokers: 3,
    replicationFactor: 3,
    consumers: 0,
    schedules: { nodeNames: BROKERS_3, horizonNs: FAULT_PHASE_NS, faultsMax: 8, verbs: ["processCrash", "restart", "partition", "heal"], trafficClasses: [DATA_CLASS] },
    checks: ["lost"],
    mechanism: (result) => (marked(result, "kafka.election.unclean") === 0 ? null : "an unclean election (that is K3)"),
    named: {
      seed: 1,
      faults: [
        // The followers stop fetching from b1 (data port only); within replica.lag.time.max.ms they stay in the ISR.
        { atNs: 2 * SECOND, verb: "partition", name: "fetch-cut", spec: { kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] } },
        // b1 acknowledged on its own (acks=1) and dies; an in-sync follower without those writes is elected.
        { atNs: 3 * SECOND, verb: "processCrash", node: "b1" },
        { atNs: 4 * SECOND, verb: "heal", name: "fetch-cut" },
      ],
    },
  },
  {
    id: "K3",
    title: "unclean.leader.election.enable=true: only the leader is in the ISR, it dies, an out-of-sync replica is elected",
    effect: "acknowledged writes lost; the old leader truncates on return",
    unsafe: { broker: { "min.insync.replicas": 1, "unclean.leader.election.enable": true }, producer: { acks: "all", "enable.idempotence": true } },
    // The one knob: unclean election off (the partition goes offline instead).
    safe: { broker: { "min.insync.replicas": 1, "unclean.leader.election.enable": false }, producer: { acks: "all", "enable.idempotence": true } },
    brokers: 3,
    replicationFactor: 3,
    consumers: 0,
    schedules: { nodeNames: BROKERS_3, horizonNs: FAULT_PHASE_NS, faultsMax: 8, verbs: ["processCrash", "restart", "partition", "heal"], trafficClasses: [DATA_CLASS] },
    checks: ["lost"],
    mechanism: (result) => (marked(result, "kafka.election.unclean") > 0 ? null : "no unclean election"),
    named: {
      seed: 5,
      faults: [
        { atNs: 2 * SECOND, verb: "partition", name: "followers-cut", spec: { kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] } },
        { atNs: 8 * SECOND, verb: "processCrash", node: "b1" },
        { atNs: 9 * SECOND, verb: "heal", name: "followers-cut" },
      ],
    },
  },
  {
    id: "K4",
    title: "before KIP-101: a restarted follower truncates to its own lagging high watermark, the leader dies before it re-fetches, and it is elected",
    effect: "a committed message is lost",
    // The ZooKeeper era: truncation to the high watermark, and a fast restart goes unnoticed (the follower stays in the ISR).
    unsafe: { broker: { "min.insync.replicas": 1, "mqsim.truncation": "high-watermark", "mqsim.reregistration": "keep" }, producer: { acks: "all", "enable.idempotence": true } },
    safe: { broker: { "min.insync.replicas": 1, "mqsim.truncation": "leader-epoch", "mqsim.reregistration": "keep" }, producer: { acks: "all", "enable.idempotence": true } },
    brokers: 2,
    replicationFactor: 2,
    consumers: 0,
    schedules: { nodeNames: ["b1", "b2"], horizonNs: FAULT_PHASE_NS, faultsMax: 8, verbs: ["processCrash", "restart", "pause", "resume", "partition", "heal"], trafficClasses: [DATA_CLASS] },
    checks: ["lost"],
    mechanism: (result) => (marked(result, "kafka.election.unclean") === 0 && marked(result, "kafka.truncate") > 0 ? null : "no truncation, or an unclean election"),
    named: {
      seed: 101,
      faults: [
        { atNs: 3 * SECOND, verb: "processCrash", node: "b2" },
        { atNs: 3 * SECOND, verb: "partition", name: "data-cut", spec: { kind: "total", groups: [["b1"], ["b2"]], classes: [DATA_CLASS] } },
        { atNs: 3_100_000_000, verb: "restart", node: "b2" },
        { atNs: 3_200_000_000, verb: "processCrash", node: "b1" },
      ],
    },
  },
  {
    id: "K12",
    title: "consumer commits offsets before processing and crashes",
    effect: "messages skipped: delivered but never processed (commit after processing gives duplicates instead)",
    unsafe: { ...SAFE, consumer: { "mqsim.commit": "before-process", "mqsim.idempotent": false } },
    safe: { ...SAFE, consumer: { "mqsim.commit": "after-process", "mqsim.idempotent": true } },
    brokers: 3,
    replicationFactor: 3,
    consumers: 2,
    schedules: { nodeNames: ["c1", "c2"], horizonNs: FAULT_PHASE_NS, faultsMax: 8, verbs: ["processCrash", "restart", "partition", "heal"] },
    checks: ["lost-effects", "duplicated-effects"],
    mechanism: (result) => (failedChecks(result, ["lost-effects"]).length > 0 ? null : "no skipped message"),
    named: {
      seed: 12,
      faults: [
        { atNs: 3_005_000_000, verb: "processCrash", node: "c1" },
        { atNs: 3_500_000_000, verb: "restart", node: "c1" },
        { atNs: 5_033_000_000, verb: "processCrash", node: "c1" },
      ],
    },
  },
];

export const KAFKA_ANOMALIES: readonly KafkaAnomaly[] = KAFKA_ANOMALY_ROWS.map(kafkaAnomalyOf);

export function kafkaAnomaly(id: KafkaAnomalyId): KafkaAnomaly {
  const found = KAFKA_ANOMALIES.find((anomaly) => anomaly.id === id);
  if (found === undefined) throw new Error(`no Kafka anomaly ${id}`);
  return found;
}

/** The run of an anomaly's search: its cluster and workload under one setting, with the given faults. */
export function anomalyRunSpec(anomaly: KafkaAnomalyRow, setting: "unsafe" | "safe", seed: number, faults: FaultSchedule): KafkaRunSpec {
  const chosen = anomaly[setting];
  const partitions = 2;
  return {
    seed,
    cluster: {
      brokers: anomaly.brokers,
      topics: [{ name: "t", partitions, replicationFactor: anomaly.replicationFactor }],
      config: { ...TIMING, ...chosen.broker },
    },
    // 200 messages over the fault phase, one per send, alternating partitions.
    producers: [{ name: "p1", topic: "t", partitions, messagesPerSecond: 20, messagesPerSend: 1, bytesPerMessage: 100, config: { ...PRODUCER, ...chosen.producer } }],
    consumers: Array.from({ length: anomaly.consumers }, (_, k) => ({
      name: `c${k + 1}`,
      group: "g",
      topics: ["t"],
      // Processing takes long enough that a crash often finds a batch in hand.
      config: { "mqsim.processing.ms": 40, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000, ...chosen.consumer },
    })),
    faults,
    faultPhaseNs: FAULT_PHASE_NS,
    convergeNsMax: 90 * SECOND,
  };
}

/** The shared judge (src/run/anomaly.ts), under the name the library has always exported. */
export function judgeAnomalyRun(anomaly: KafkaAnomaly, result: KafkaRunResult): AnomalyJudgement {
  return judgeAnomaly(anomaly, result);
}

/** The shared property (src/run/anomaly.ts): under "unsafe" a counterexample is the anomaly, under "safe" a broken claim. */
export function anomalyProperty(anomaly: KafkaAnomaly, setting: AnomalySetting): FaultRun {
  return sharedAnomalyProperty(anomaly, setting);
}
