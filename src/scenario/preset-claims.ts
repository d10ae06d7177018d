/**
 * What each safe preset is safe *against*: the kinds of fault under which it
 * loses nothing acknowledged, and why not the others. "Safe" is never
 * unqualified: mirrored queues lose confirmed messages under a partition
 * that isolates the master with its publisher (the losing side's writes are
 * discarded when an operator restarts it), and Kafka, which acknowledges from the page cache,
 * loses them when power fails on the last in-sync replica. `mqsim check`
 * searches these kinds by default, `mqsim list` and the description say
 * them, and presets-safety.property.test.ts searches each claim.
 *
 * Found by searching each preset with each kind alone (mqsim check --faults
 * <kind> --runs 200, search seed 42, 2026-12-06; the RabbitMQ 4.x classic
 * presets and the mirrored ones' power-loss claims revised 2026-12-07 with
 * the version field and the fsynced queue records).
 */
import type { FaultKind } from "../faults/fault-kinds.js";

export interface SafetyClaim {
  survives: readonly FaultKind[];
  /** Why not the other kinds, in a phrase (absent when it survives them all). */
  notSafeAgainst?: string;
}

const KAFKA_REPLICATED: SafetyClaim = {
  survives: ["crash", "pause", "partition"],
  notSafeAgainst:
    "Kafka acknowledges from the page cache (no fsync by default), so a power loss of the last in-sync replica loses acknowledged writes (KIP-966); log.flush.interval.messages=1 closes it",
};

/** RabbitMQ 3.12 classic queues: the message store fsyncs before confirming (classic-persistence.ts). */
const RABBIT_FSYNCED: SafetyClaim = { survives: ["crash", "pause", "partition", "power-loss"] };

/** RabbitMQ 4.x classic queues (CQv2): confirmed once written to the OS, never fsynced (classic-persistence.ts). */
const RABBIT_WRITTEN: SafetyClaim = {
  survives: ["crash", "pause", "partition"],
  notSafeAgainst:
    "RabbitMQ 4.x classic queues (CQv2) confirm a persistent message once it is written, without fsync, so a power loss before writeback loses confirmed messages; quorum queues (a majority fsynced) or 3.12's message store close it",
};

const MIRRORED_PARTITIONS =
  "a partition longer than net_ticktime lets both sides promote and confirm: with cluster_partition_handling ignore they stay split after it heals until an operator restarts one side, whose confirmed messages are then discarded; with pause_minority the minority master confirms with the mirrors beside it (jepsen-2014)";

const MIRRORED: SafetyClaim = { survives: ["crash", "pause", "power-loss"], notSafeAgainst: MIRRORED_PARTITIONS };


export const SAFETY_CLAIMS: Readonly<Record<string, SafetyClaim>> = {
  "c9-replication-failover": KAFKA_REPLICATED,
  "k1-safe": KAFKA_REPLICATED,
  "k2-safe": KAFKA_REPLICATED,
  "k3-safe": KAFKA_REPLICATED,
  "k4-safe": KAFKA_REPLICATED,
  "k12-safe": KAFKA_REPLICATED,
  "c5-single-node-durable": RABBIT_WRITTEN,
  "c6-classic-cluster": RABBIT_WRITTEN,
  "c14-manual-ack": RABBIT_WRITTEN,
  "c14-confirms": RABBIT_FSYNCED,
  "c14-transactions": RABBIT_FSYNCED,
  "c14-power-loss-3-12": RABBIT_FSYNCED,
  "c15-reject-publish": RABBIT_WRITTEN,
  "c7-mirror-all-3": MIRRORED,
  "c7-mirror-all-5": MIRRORED,
  // A power loss of every node in turn used to restart the queue from a node that had not seen the last
  // confirmed message: the queue records were never fsynced. They are now (broker.ts storeRecord).
  "r3-safe": MIRRORED,
  "r4-safe": MIRRORED,
  "r3-shrunk-safe": MIRRORED,
  "r4-shrunk-safe": MIRRORED,
};
