/**
 * The ActiveMQ presets, each as the YAML a user would write, with what its
 * run must conclude: anomaly A1 (a shared store whose lock outlives its
 * dead master: NFSv3) beside its fix (NFSv4's leases), JDBC master/slave
 * by a lease (the docs' periods, and the defaults' lease that a slave takes
 * from a live master), the master's crash
 * with the failover transport's resend and the producer audit, the
 * journal's sync strategy under a power loss (C14), and a consumer's crash
 * between processing and acknowledging (C13).
 */
import { presetFromYaml, withClaim, type Preset, type PresetDocument, type SafetyClaim } from "../../scenario/preset.js";

const WORKLOAD = `
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 100/s, messageSize: 1KiB }`;

function sharedStore(name: string, protocol: "nfsv3" | "nfsv4", verb: "powerLoss" | "processCrash", maxReconnectDelay?: number): string {
  const isV3 = protocol === "nfsv3";
  const reconnect =
    maxReconnectDelay === undefined
      ? " Until then the producer's reconnect delay doubles from 10 ms (maxReconnectDelay 30 s by default), so after b2 is up it may wait seconds more before its next try."
      : ` The producer's reconnect delay doubles from 10 ms but never past ${maxReconnectDelay} ms (the failover URI's maxReconnectDelay), so it reaches b2 soon after b2 opens its connectors.`;
  const what =
    verb === "processCrash"
      ? `b1's process is killed at 5 s; its machine lives on and its kernel gives the lock back at once, so b2 (polling every 10 s, lockAcquireSleepInterval) takes the lock, recovers the journal and opens its connectors.${reconnect} The producer's failover transport reconnects to b2 and sends its unanswered message again; if b1 had stored it, b2's producer audit (rebuilt from the journal) drops the copy and answers it as stored.`
      : isV3
        ? "b1's machine loses power at 5 s and is off until 50 s. NFSv3's locks go through NLM, which keeps a dead client's lock until that client reboots and says so (SM_NOTIFY), so no broker can take the store and nothing is sent until b1 is back (A1; the docs' advice is to reboot every broker). The producer notices the silent master after its inactivity monitor's 30 s; the run's unavailability window starts then."
        : "b1's machine loses power at 5 s and is off until 50 s. NFSv4's locks are leases; 30 s after b1's last renewal the server frees its lock, b2 takes it at its next attempt, recovers the journal and becomes master; the producer, having noticed the silent master after 30 s (its inactivity monitor), reconnects to b2.";
  return `
system: activemq
name: ${name}
description: Shared file system master/slave, two brokers b1 and b2 whose KahaDB lives on one ${protocol.toUpperCase()} server (nfs). b1 takes the store's lock first and is master; b2 waits for it. ${what} Every persistent send waited for the journal's fsync on the server, so nothing acknowledged is lost.
seed: 7
duration: 60s
cluster: { brokers: 2, sharedStore: { protocol: ${protocol}, leaseTime: 30s } }${maxReconnectDelay === undefined ? "" : `\nfailover: { maxReconnectDelay: ${maxReconnectDelay} }`}
${WORKLOAD}
consumers:
  - { name: billing, queue: orders, idempotent: true }
faults:
  - { at: 5s, verb: ${verb}, node: b1 }
  - { at: 50s, verb: restart, node: b1 }
`;
}

function jdbcMasterSlave(name: string, isDocsLease: boolean): string {
  const what = isDocsLease
    ? "The docs' example lease (lockAcquireSleepInterval 10 s, renewed every lockKeepAlivePeriod 5 s). b1's machine loses power at 5 s and is off until 50 s; its lease runs out within 10 s, b2 takes it at its next try (every 10 s), reads the stored messages from the database and opens its connectors; the producer, having noticed the silent master after 30 s (its inactivity monitor), reconnects to b2."
    : "The JDBC adapter's defaults, a 10 s lease (lockAcquireSleepInterval) renewed every 30 s (lockKeepAlivePeriod), which the locker warns about. Nothing fails; b2, polling every 10 s, finds b1's lease expired at 11 s and takes it while b1 runs on; b1 learns it only at its renewal at 30 s, which updates no row, and gives up being master. The two are masters together for 19 s (both write the one database, so nothing is lost here); the producer's connection to b1 drops at 30 s and it fails over to b2. The lease keeps changing hands the same way, b1 taking it back at its next try once b2's has run out.";
  return `
system: activemq
name: ${name}
description: JDBC master/slave, two brokers b1 and b2 whose messages live in one database (db), the master chosen by the lease on the ACTIVEMQ_LOCK row (lease-database-locker). b1 takes the lease first. ${what} Every persistent send waited for its INSERT's commit, so nothing acknowledged is lost.
seed: 8
duration: 60s
cluster: { brokers: 2 }
persistenceAdapter: { jdbc: { lockKeepAlivePeriod: ${isDocsLease ? "5000" : "30000"}, locker: { lockAcquireSleepInterval: 10000 } } }
${WORKLOAD}
consumers:
  - { name: billing, queue: orders, idempotent: true }
faults:${isDocsLease ? "\n  - { at: 5s, verb: powerLoss, node: b1 }\n  - { at: 50s, verb: restart, node: b1 }" : " []"}
`;
}

function journalPowerLoss(name: string, strategy: "ALWAYS" | "NEVER"): string {
  const isAlways = strategy === "ALWAYS";
  return `
system: activemq
name: ${name}
description: One broker, KahaDB with journalDiskSyncStrategy ${strategy}, a producer of persistent messages and no consumer (the final read asks the store what it holds). The broker's machine loses power at 5 s and comes back at 7 s. ${isAlways ? "Each sync send waited for its store task, which waited for the fsync of its journal batch, so the journal keeps everything acknowledged; recovery replays it." : "The broker answers a sync send once its store task has handed the record to the journal, before it is even written and never waiting for an fsync (NEVER syncs only at a file's roll), so what the OS had not written back by 5 s is gone, the journal's acknowledged tail with it."}
seed: 5
duration: 10s
cluster: { brokers: 1, disk: sata-ssd }
persistenceAdapter: { kahaDB: { journalDiskSyncStrategy: ${strategy} } }
${WORKLOAD}
faults:
  - { at: 5s, verb: powerLoss, node: b1 }
  - { at: 7s, verb: restart, node: b1 }
`;
}

function consumerCrash(name: string, isIdempotent: boolean): string {
  return `
system: activemq
name: ${name}
description: One broker; a consumer in CLIENT_ACKNOWLEDGE mode whose application takes 10 ms a message and calls acknowledge() after every 20 messages. It is killed at 5 s and restarts at 6 s. The messages it had processed since its last acknowledge(), and everything prefetched, are dispatched again to its new incarnation. ${isIdempotent ? "The application keeps the ids it has processed (an idempotent consumer), so it applies each message once." : "The application applies the redelivered messages a second time."}
seed: 9
duration: 10s
cluster: { brokers: 1 }
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 50/s, messageSize: 1KiB }
consumers:
  - { name: billing, queue: orders, processingTime: 10ms, acknowledgeMode: CLIENT_ACKNOWLEDGE, acknowledgeEvery: 20, idempotent: ${isIdempotent} }
checks: [lost, unexpected, duplicated-effects]
faults:
  - { at: 5s, verb: processCrash, node: billing }
  - { at: 6s, verb: restart, node: billing }
`;
}

function inDoubtCommit(name: string, isIdempotent: boolean): string {
  return `
system: activemq
name: ${name}
description: One broker; a producer in a transacted session calls commit() after every 10 messages. From 5 s to 45 s b1's answers no longer reach the producer (a one-way partition), while its commands still reach b1. The commit sent just after 5 s is committed by b1 but never answered; 30 s later the producer's inactivity monitor drops the connection, and once it reconnects the failover transport does not replay a transaction whose commit was in flight, so commit() throws TransactionRolledBackException (in doubt). The application sends the 10 messages again in a new transaction, with new message ids the producer audit cannot match, and b1 stores them a second time. ${isIdempotent ? "The consumer keeps the ids it has processed (an idempotent consumer), so it applies each message once." : "The consumer applies those 10 messages twice."}
seed: 10
duration: 60s
cluster: { brokers: 1 }
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 100/s, messageSize: 1KiB, transacted: true, messagesPerTransaction: 10 }
consumers:
  - { name: billing, queue: orders, idempotent: ${isIdempotent} }
checks: [lost, unexpected, duplicated-effects]
faults:
  - { at: 5s, verb: partition, name: answers, spec: { kind: one-way, from: [b1], to: [shop] } }
  - { at: 45s, verb: heal, name: answers }
`;
}

const POISON_MESSAGE = `
system: activemq
name: c14-activemq-poison-message
description: One broker; the consumer's listener throws on every 100th message (a message it cannot process), each time it gets it. The session redelivers such a message after redeliveryDelay (1 s) up to maximumRedeliveries (6) times, holding back the messages behind it (nonBlockingRedelivery is false), then sends a poison ack and the broker moves the message to ActiveMQ.DLQ. Nothing is lost (the DLQ holds it), but its effect is never applied, and each poison message stalls the consumer for 6 s.
seed: 11
duration: 20s
cluster: { brokers: 1 }
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 50/s, messageSize: 1KiB }
consumers:
  - { name: billing, queue: orders, processingTime: 1ms, failEvery: 100 }
checks: [lost, lost-effects]
`;

function listenerException(name: string, mode: "CLIENT_ACKNOWLEDGE" | "SESSION_TRANSACTED"): string {
  const isClient = mode === "CLIENT_ACKNOWLEDGE";
  const description = isClient
    ? "One broker; the consumer's session is CLIENT_ACKNOWLEDGE and its application calls acknowledge() after every 10 messages; its listener throws on every 100th message. In this mode the session does not roll the message back, it delivers the next one (ActiveMQMessageConsumer.dispatch, 'Deliver the next message'), and the application's next acknowledge() acknowledges every message delivered since the last, the failed one too. It is gone, never redelivered, not in ActiveMQ.DLQ, its effect never applied. With AUTO or INDIVIDUAL_ACKNOWLEDGE it would be redelivered and then dead-lettered (c14-activemq-poison-message)."
    : "One broker; the consumer's session is transacted and its application commits after every 10 messages and calls session.rollback() when its listener fails (as Spring's listener containers do), which happens on every 100th message. The rollback gives back the whole transaction, the messages before the failing one included, and the application processes them again, 7 times in all (maximumRedeliveries 6); then the session poison-acks the whole transaction and all of it goes to ActiveMQ.DLQ. The poison message's effect is never applied; the others in its transaction are applied 7 times and dead-lettered as well.";
  const acknowledge = isClient ? "acknowledgeMode: CLIENT_ACKNOWLEDGE, acknowledgeEvery: 10" : "acknowledgeMode: SESSION_TRANSACTED, messagesPerTransaction: 10";
  return `
system: activemq
name: ${name}
description: ${description}
seed: 11
duration: 20s
cluster: { brokers: 1 }
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 50/s, messageSize: 1KiB }
consumers:
  - { name: billing, queue: orders, processingTime: 1ms, failEvery: 100, ${acknowledge} }
checks: [lost, lost-effects, duplicated-effects]
`;
}

function consumerCutOff(name: string, checkForDuplicates: boolean): string {
  return `
system: activemq
name: ${name}
description: One broker; the consumer takes 30 ms a message at 50 msg/s, so it holds a prefetched backlog. It is cut off from b1 from 3 s to 40 s. It goes on processing the messages it had and acknowledging them, but the acks never arrive; after 30 s both sides' inactivity monitors drop the connection, the broker takes those messages back, and once the consumer reconnects it dispatches them again. ${checkForDuplicates ? "The connection's duplicate audit (checkForDuplicates, on by default) recognises the messages this connection already gave its listener and poison-acks them instead, so no effect is applied twice, but every one of them is now a copy in ActiveMQ.DLQ (AMQ-4952), which an operator will find there and may replay." : "With checkForDuplicates off, the application applies each of them a second time."}
seed: 12
duration: 45s
cluster: { brokers: 1 }
queues: [{ name: orders }]
producers:
  - { name: shop, queue: orders, rate: 50/s, messageSize: 1KiB }
consumers:
  - { name: billing, queue: orders, processingTime: 30ms, checkForDuplicates: ${checkForDuplicates} }
checks: [lost, unexpected, duplicated-effects]
faults:
  - { at: 3s, verb: partition, name: cut, spec: { kind: isolate, nodes: [billing] } }
  - { at: 40s, verb: heal, name: cut }
`;
}

const DOCUMENTS: PresetDocument[] = [
  { name: "a1-nfsv3-master-power-loss", claim: "A1", title: "shared store on NFSv3: the dead master's lock is never freed, no failover until it reboots", expect: "ok", yaml: sharedStore("a1-nfsv3-master-power-loss", "nfsv3", "powerLoss") },
  { name: "a1-nfsv4-master-power-loss", claim: "A1", title: "shared store on NFSv4: the dead master's lease expires, the slave takes over", expect: "ok", yaml: sharedStore("a1-nfsv4-master-power-loss", "nfsv4", "powerLoss") },
  { name: "a1-master-crash", claim: "A1", title: "shared store: the master's process crash frees its lock at once; the resent send is not stored twice", expect: "ok", yaml: sharedStore("a1-master-crash", "nfsv4", "processCrash") },
  { name: "a1-master-crash-fast-reconnect", claim: "A1", title: "the same crash with maxReconnectDelay 1000 ms: the producer reaches the new master within a second of its start", expect: "ok", yaml: sharedStore("a1-master-crash-fast-reconnect", "nfsv4", "processCrash", 1_000) },
  { name: "a1-jdbc-master-power-loss", claim: "A1", title: "JDBC master/slave: the dead master's lease runs out, the slave takes over", expect: "ok", yaml: jdbcMasterSlave("a1-jdbc-master-power-loss", true) },
  { name: "a1-jdbc-default-lease", claim: "A1", title: "JDBC defaults (lease 10 s, renewed every 30 s): the slave takes the lease from a live master, and back and forth; two masters meanwhile", expect: "ok", yaml: jdbcMasterSlave("a1-jdbc-default-lease", false) },
  { name: "c14-kahadb-sync-never-power-loss", claim: "C14", title: "journalDiskSyncStrategy NEVER: a power loss takes acknowledged messages", expect: "safety-failed", yaml: journalPowerLoss("c14-kahadb-sync-never-power-loss", "NEVER") },
  { name: "c14-kahadb-sync-always-power-loss", claim: "C14", title: "journalDiskSyncStrategy ALWAYS (the default): a power loss takes nothing acknowledged", expect: "ok", yaml: journalPowerLoss("c14-kahadb-sync-always-power-loss", "ALWAYS") },
  { name: "c14-activemq-poison-message", claim: "C14", title: "a message the consumer cannot process: redelivered 6 times a second apart, then moved to ActiveMQ.DLQ; its effect never applied", expect: "safety-failed", yaml: POISON_MESSAGE },
  { name: "c14-activemq-client-ack-exception", claim: "C14", title: "CLIENT_ACKNOWLEDGE and a listener that throws: the next acknowledge() takes the failed message with it, neither redelivered nor dead-lettered", expect: "safety-failed", yaml: listenerException("c14-activemq-client-ack-exception", "CLIENT_ACKNOWLEDGE") },
  { name: "c14-activemq-transacted-poison", claim: "C14", title: "a transacted consumer rolls back on a poison message: its whole transaction is redelivered 6 times, then all of it goes to ActiveMQ.DLQ", expect: "safety-failed", yaml: listenerException("c14-activemq-transacted-poison", "SESSION_TRANSACTED") },
  { name: "c13-activemq-consumer-cut-off", claim: "C13", title: "a consumer cut off past the inactivity timeout: the client's duplicate audit turns the redelivered messages it processed into ActiveMQ.DLQ copies, no effect twice", expect: "ok", yaml: consumerCutOff("c13-activemq-consumer-cut-off", true) },
  { name: "c13-activemq-consumer-cut-off-no-audit", claim: "C13", title: "the same with checkForDuplicates off: the redelivered messages are applied twice", expect: "safety-failed", yaml: consumerCutOff("c13-activemq-consumer-cut-off-no-audit", false) },
  { name: "c13-activemq-consumer-crash", claim: "C13", title: "CLIENT_ACKNOWLEDGE every 20 messages, the consumer killed: what it processed since its last acknowledge() is applied twice", expect: "safety-failed", yaml: consumerCrash("c13-activemq-consumer-crash", false) },
  { name: "c13-activemq-in-doubt-commit", claim: "C13", title: "a transacted commit answered too late is reported rolled back; the application sends again and the messages are stored twice", expect: "safety-failed", yaml: inDoubtCommit("c13-activemq-in-doubt-commit", false) },
  { name: "c13-activemq-in-doubt-commit-idempotent", claim: "C13", title: "the same with an idempotent consumer: each effect once", expect: "ok", yaml: inDoubtCommit("c13-activemq-in-doubt-commit-idempotent", true) },
  { name: "c13-activemq-consumer-crash-idempotent", claim: "C13", title: "the same with an idempotent consumer: each effect once", expect: "ok", yaml: consumerCrash("c13-activemq-consumer-crash-idempotent", true) },
];

/** Persistent sync sends with journalDiskSyncStrategy ALWAYS: acknowledged only once the journal's batch is fsynced. */
const JOURNAL_SYNCED: SafetyClaim = { survives: ["crash", "pause", "partition", "power-loss"] };

/**
 * Master/slave with a lock that expires (an NFSv4 lease, a JDBC lease): a dead master's store passes to the slave;
 * sync sends wait for the store's commit, so nothing acknowledged is lost.
 */
const EXPIRING_LOCK: SafetyClaim = {
  survives: ["crash", "power-loss"],
  notSafeAgainst: "a master paused or cut off from its store past the lease keeps running beside the slave that took it (lockKeepAlivePeriod 0 for KahaDB; a failed renewal is ignored for JDBC)",
};

/** What each safe preset is safe against (searched in properties/presets-safety.property.test.ts). */
const ACTIVEMQ_SAFETY_CLAIMS: Readonly<Record<string, SafetyClaim>> = {
  "a1-nfsv4-master-power-loss": EXPIRING_LOCK,
  "a1-master-crash": EXPIRING_LOCK,
  "a1-jdbc-master-power-loss": EXPIRING_LOCK,
  "c14-kahadb-sync-always-power-loss": JOURNAL_SYNCED,
  "c13-activemq-consumer-crash-idempotent": JOURNAL_SYNCED,
  "c13-activemq-in-doubt-commit-idempotent": JOURNAL_SYNCED,
};

export const ACTIVEMQ_PRESETS: readonly Preset[] = DOCUMENTS.map(presetFromYaml).map((preset) => withClaim(preset, ACTIVEMQ_SAFETY_CLAIMS));
