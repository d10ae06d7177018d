/**
 * The scenarios of the acks benchmark and the runKafka spec of each run.
 *
 * Every run uses the same cluster (3 brokers, one topic of 6 partitions,
 * replication factor 3, min.insync.replicas=2, unclean election off) and the
 * same producer settings (Kafka's defaults) except `acks`. Seeds and fault
 * instants are fixed, so every run is the same on every machine.
 */
import type { FaultSchedule } from "../../src/faults/fault.js";
import type { Acks, KafkaBrokerConfig } from "../../src/systems/kafka/config.js";
import { DATA_CLASS } from "../../src/systems/kafka/protocol.js";
import type { KafkaRunSpec } from "../../src/systems/kafka/run.js";

export const SEED = 42;
export const SECOND = 1_000_000_000;
export const MS = 1_000_000;
export const US = 1_000;

export const ACKS: readonly Acks[] = [0, 1, "all"];
export const TOPIC = "t";
export const PARTITIONS = 6;
export const BROKERS = 3;
export const REPLICATION_FACTOR = 3;
export const BROKER_CONFIG: Partial<KafkaBrokerConfig> = { "min.insync.replicas": 2, "unclean.leader.election.enable": false };
export const DISK = "nvme";
/** Kreps' 2014 benchmark record size. */
export const MESSAGE_BYTES = 100;
/** Steady load: 20 messages every millisecond, each hand-off to the next partition in turn. */
export const STEADY_RATE = 20_000;
export const STEADY_PER_SEND = 20;
/** Saturation: far more than one producer can push with 5 requests in flight per broker. */
export const SATURATED_RATE = 8_000_000;
export const SATURATED_PER_SEND = 8_000;
/** Latencies are measured for batches sealed after this (metadata and the first elections happen before). */
export const WARMUP_NS = 1 * SECOND;
/** The broker whose leaderships are lost: b1 leads partitions 0 and 3 (preferred replicas rotate). */
export const VICTIM = "b1";
export const FOLLOWERS = ["b2", "b3"];
/** Kill -9 instants: one every 250 µs over 3 ms (b1 gets a batch every 3 ms), off the 1 ms producer grid. */
export const SWEEP_FIRST_NS = 3 * SECOND + 37 * US;
export const SWEEP_STEP_NS = 250 * US;
export const SWEEP_COUNT = 12;
/**
 * A fine scan of kill -9 instants around the flight of two of b1's batches,
 * sealed by the producer at 3.000 s and 3.003 s: from 250 µs to 400 µs after
 * the seal, every 10 µs — when the leader's acknowledgement and its copy to
 * the followers are on the wire.
 */
export const SCAN_SEALS_NS = [3 * SECOND, 3 * SECOND + 3 * MS];
export const SCAN_FIRST_OFFSET_NS = 250 * US;
export const SCAN_STEP_NS = 10 * US;
export const SCAN_COUNT = 16;
/** A partition that acknowledged nothing for longer than this counts as stalled. */
export const STALL_NS = 1 * SECOND;
/** Scenarios × acks settings. */
export const SCENARIO_RUNS = (2 + SWEEP_COUNT + SCAN_SEALS_NS.length * SCAN_COUNT + 3) * 3;

export type ScenarioId = "steady" | "saturated" | "kill9" | "kill9-scan" | "power-loss" | "lagging-followers" | "fast-restart";

export interface Scenario {
  id: ScenarioId;
  /** For sweeps, which instant (0-based). */
  variant: number;
  faults: FaultSchedule;
  faultPhaseNs: number;
  rate: number;
  perSend: number;
  /** Throughput is counted over acknowledgements in [from, to). */
  throughputFromNs: number;
  throughputToNs: number;
}

export function steady(): Scenario {
  return { id: "steady", variant: 0, faults: [], faultPhaseNs: 20 * SECOND, rate: STEADY_RATE, perSend: STEADY_PER_SEND, throughputFromNs: WARMUP_NS, throughputToNs: 20 * SECOND };
}

export function saturated(): Scenario {
  return {
    id: "saturated",
    variant: 0,
    faults: [],
    faultPhaseNs: 1.2 * SECOND,
    rate: SATURATED_RATE,
    perSend: SATURATED_PER_SEND,
    throughputFromNs: 0.4 * SECOND,
    throughputToNs: 1.2 * SECOND,
  };
}

/** kill -9 of b1 at one of SWEEP_COUNT instants; it restarts after the controller has moved its leaderships. */
export function kill9(variant: number): Scenario {
  return kill9At("kill9", variant, SWEEP_FIRST_NS + variant * SWEEP_STEP_NS);
}

export function kill9Scan(variant: number): Scenario {
  const seal = SCAN_SEALS_NS[Math.floor(variant / SCAN_COUNT)]!;
  return kill9At("kill9-scan", variant, seal + SCAN_FIRST_OFFSET_NS + (variant % SCAN_COUNT) * SCAN_STEP_NS);
}

function kill9At(id: ScenarioId, variant: number, atNs: number): Scenario {
  return {
    id,
    variant,
    faults: [
      { atNs, verb: "processCrash", node: VICTIM },
      { atNs: 14 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 15 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 15 * SECOND,
  };
}

export function powerLoss(): Scenario {
  return { ...kill9(0), id: "power-loss", faults: [{ atNs: SWEEP_FIRST_NS, verb: "powerLoss", node: VICTIM }, { atNs: 14 * SECOND, verb: "restart", node: VICTIM }] };
}

/**
 * b1's replication traffic to its followers stalls for 2 s (a congested link,
 * a slow follower: well inside replica.lag.time.max.ms = 30 s, so the ISR
 * keeps them), then b1 is killed.
 */
export function laggingFollowers(): Scenario {
  return {
    id: "lagging-followers",
    variant: 0,
    faults: [
      { atNs: 3 * SECOND, verb: "partition", name: "replication-stall", spec: { kind: "one-way", from: [VICTIM], to: FOLLOWERS, classes: [DATA_CLASS] } },
      { atNs: 5 * SECOND, verb: "processCrash", node: VICTIM },
      { atNs: 5 * SECOND, verb: "heal", name: "replication-stall" },
      { atNs: 16 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 17 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 17 * SECOND,
  };
}

/** b1 is killed and restarts 5 s later, before broker.session.timeout.ms (9 s) has expired. */
export function fastRestart(): Scenario {
  return {
    id: "fast-restart",
    variant: 0,
    faults: [
      { atNs: SWEEP_FIRST_NS, verb: "processCrash", node: VICTIM },
      { atNs: 8 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 15 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 15 * SECOND,
  };
}

export function runSpec(scenario: Scenario, acks: Acks): KafkaRunSpec {
  return {
    seed: SEED,
    cluster: {
      brokers: BROKERS,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: REPLICATION_FACTOR }],
      config: BROKER_CONFIG,
      disk: DISK,
    },
    producers: [
      {
        name: "p1",
        topic: TOPIC,
        partitions: PARTITIONS,
        messagesPerSecond: scenario.rate,
        messagesPerSend: scenario.perSend,
        bytesPerMessage: MESSAGE_BYTES,
        config: { acks },
      },
    ],
    faults: scenario.faults,
    faultPhaseNs: scenario.faultPhaseNs,
    convergeNsMax: 60 * SECOND,
    checks: { checks: ["lost", "unavailability"] },
  };
}

/** Every scenario, in the order the runs are made and reported. */
export function allScenarios(): Scenario[] {
  return [
    steady(),
    saturated(),
    ...Array.from({ length: SWEEP_COUNT }, (_, v) => kill9(v)),
    ...Array.from({ length: SCAN_SEALS_NS.length * SCAN_COUNT }, (_, v) => kill9Scan(v)),
    powerLoss(),
    laggingFollowers(),
    fastRestart(),
  ];
}
