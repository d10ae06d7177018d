/**
 * The RocketMQ presets: the deployments of claim C11 under a broker's loss
 * (DLedger's automatic failover among them),
 * and anomalies Q2 (ASYNC_FLUSH and a power loss) and Q3 (SYNC_MASTER
 * without its slave, and an application that resends) with their safe
 * counterparts,
 * each as the YAML a user would write, with what its run must conclude.
 */
import { presetFromYaml, type Preset, type PresetDocument } from "../../scenario/preset.js";

/** `groups` broker groups with `slaves` slaves each; one producer and one consumer group on topic `orders`. */
function cluster(groups: number, slaves: number, processingTime = "1ms", consumerConfig = "{}"): string {
  return `
cluster: { nameServers: 2, brokerGroups: ${groups}, slavesPerGroup: ${slaves} }
topics: [{ name: orders, queueNums: 4 }]
producers:
  - { name: shop, topic: orders, rate: 200/s, messageSize: 1KiB }
consumers:
  - { name: billing, group: billing, topic: orders, processingTime: ${processingTime}, idempotent: true, config: ${consumerConfig} }`;
}

function flushPowerLoss(name: string, flushDiskType: "ASYNC_FLUSH" | "SYNC_FLUSH"): string {
  const isSync = flushDiskType === "SYNC_FLUSH";
  return `
system: rocketmq
name: ${name}
description: One broker (a master, no slave) with flushDiskType ${flushDiskType}. Its machine loses power at 3 s and comes back at 5 s. ${isSync ? "Every put waits for the group commit's flush before SEND_OK, so the commit log keeps everything acknowledged; the messages sent while the broker was down are retried by the producer." : "SEND_OK comes as soon as the message is in the page cache; the flush thread writes every 500 ms once 4 pages are dirty, so the power loss takes what was acknowledged since its last round."}
seed: 3
duration: 10s
${cluster(1, 0)}
config: { brokerRole: ASYNC_MASTER, flushDiskType: ${flushDiskType} }
faults:
  - { at: 3s, verb: powerLoss, node: a0 }
  - { at: 5s, verb: restart, node: a0 }
`;
}

const MULTI_MASTER = `
system: rocketmq
name: c11-multi-master
description: Two masters (broker-a, broker-b), no slaves, two NameServers. broker-a's process is killed at 3 s and restarts at 6 s. Its connection to the NameServers closes, so they drop it at once, but the producer learns that only at its next route poll (every 30 s); until then a send to broker-a fails and its retry goes to broker-b (another broker). broker-a's queues cannot be read while it is down. Nothing acknowledged is lost (a killed process leaves its data in the page cache).
seed: 11
duration: 10s
${cluster(2, 0)}
config: { brokerRole: ASYNC_MASTER, flushDiskType: ASYNC_FLUSH }
faults:
  - { at: 3s, verb: processCrash, node: a0 }
  - { at: 6s, verb: restart, node: a0 }
`;

const SLAVE_READ = `
system: rocketmq
version: "4.9"
name: c11-slave-read
description: Two broker groups, each an ASYNC_MASTER with one slave (RocketMQ 4.9). The consumer (20 threads, 200 ms a message) takes 100 msg/s of the 200 offered, so a backlog builds on both groups; it caches at most 20 messages a queue (pullThresholdForQueue), so the backlog stays on the brokers. broker-a's master process is killed at 5 s and restarts at 50 s. The NameServers drop it at once (its connection closed), but the clients learn it only at their next route poll, up to 30 s later; until then the consumer's pulls of broker-a's queues fail and are retried every 3 s. There is no promotion in classic master/slave, so broker-a takes no writes (the producer's retries go to broker-b); once the route shows broker-a without a master, the consumer reads broker-a's backlog from its slave a1 (a 4.9 slave serves pulls; a 5.x slave refuses them unless slaveReadEnable). Nothing acknowledged is lost.
seed: 12
duration: 60s
${cluster(2, 1, "200ms", "{ pullThresholdForQueue: 20 }")}
config: { brokerRole: ASYNC_MASTER, flushDiskType: ASYNC_FLUSH }
faults:
  - { at: 5s, verb: processCrash, node: a0 }
  - { at: 50s, verb: restart, node: a0 }
`;

function slaveLossResend(name: string, idempotent: boolean): string {
  return `
system: rocketmq
version: "4.9"
name: ${name}
description: One broker group, a 4.9 SYNC_MASTER with one slave and SYNC_FLUSH; the application starts sending at 2 s, once the slave is connected. The slave's process is killed at 3 s and restarts at 5 s; meanwhile the master stores every message and answers SLAVE_NOT_AVAILABLE (no slave connected). The application sends every message not answered SEND_OK again, at once, so a message is stored again and again while the slave is away, and the consumer receives every copy. ${idempotent ? "The consumer keeps the ids it has processed and applies each message once." : "The consumer applies every copy, so effects repeat."}
seed: 5
duration: 10s
cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 1 }
topics: [{ name: orders, queueNums: 4 }]
producers:
  - { name: shop, topic: orders, rate: 200/s, messageSize: 1KiB, resendOnNotOk: true, startAt: 2s }
consumers:
  - { name: billing, group: billing, topic: orders, processingTime: 1ms, idempotent: ${idempotent} }
config: { brokerRole: SYNC_MASTER, flushDiskType: SYNC_FLUSH }
faults:
  - { at: 3s, verb: processCrash, node: a1 }
  - { at: 5s, verb: restart, node: a1 }
checks: [lost, unexpected, duplicated-effects]
`;
}

/** c11-slave-read on 5.3: the slave refuses pulls (slaveReadEnable false by default), so broker-a's backlog waits for its master. */
const SLAVE_READ_5 = SLAVE_READ.replace('version: "4.9"', 'version: "5.3"')
  .replace("name: c11-slave-read", "name: c11-slave-read-5x")
  .replace(/description: .*/, "description: c11-slave-read on RocketMQ 5.3, same faults. A 5.x slave refuses every pull unless slaveReadEnable (the default is false, PullMessageProcessor.rejectRequest), so while broker-a's master is down its backlog cannot be read at all; the consumer retries every 3 s and drains it after the master is back. Nothing acknowledged is lost; the backlog and the time to drain grow.");

function syncDoubleWrite(name: string, flushDiskType: "ASYNC_FLUSH" | "SYNC_FLUSH"): string {
  const isSync = flushDiskType === "SYNC_FLUSH";
  return `
system: rocketmq
version: "4.9"
name: ${name}
description: Synchronous double write (4.9 SYNC_MASTER, a slave per group) with flushDiskType ${flushDiskType}. Every SEND_OK waited for the slave, so every acknowledged message is on two machines. broker-a's master loses power at 4 s and comes back at 6 s. ${isSync ? "Its commit log was flushed before every SEND_OK, so it comes back with everything it acknowledged and its slave resumes from where it was." : "It comes back with what it had flushed (its flush thread runs every 500 ms), short of what its slave holds. Classic master/slave never takes the difference back from the slave (only DLedger or the controller mode reconcile logs), so those acknowledged messages survive only on a slave that can no longer follow its master, and the master gives their queue offsets to new messages, so one offset names two messages."}
seed: 21
duration: 10s
${cluster(2, 1)}
config: { brokerRole: SYNC_MASTER, flushDiskType: ${flushDiskType} }
faults:
  - { at: 4s, verb: powerLoss, node: a0 }
  - { at: 6s, verb: restart, node: a0 }
checks: [lost, unexpected, inconsistent-offsets]
`;
}

function machineLoss(name: string, brokerRole: "ASYNC_MASTER" | "SYNC_MASTER"): string {
  const isSync = brokerRole === "SYNC_MASTER";
  return `
system: rocketmq
version: "4.9"
name: ${name}
description: One broker group, a ${brokerRole} with one slave, SYNC_FLUSH, no consumer (the final read asks every broker what it still holds). The master's machine is lost for good at 3 s; a replacement with an empty disk starts at 5 s. ${isSync ? "Every SEND_OK waited for the slave, so everything acknowledged survives on the slave." : "SEND_OK came before the slave had the message (the HA writer sends what it finds every 100 ms when caught up), so what the master acknowledged in its last moments was on no other machine and is gone."} No classic broker takes data back from a slave, so the replacement master starts empty and the slave can no longer follow it.
seed: 1
duration: 10s
cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 1 }
topics: [{ name: orders, queueNums: 4 }]
producers:
  - { name: shop, topic: orders, rate: 200/s, messageSize: 1KiB, startAt: 2s }
config: { brokerRole: ${brokerRole}, flushDiskType: SYNC_FLUSH }
faults:
  - { at: 3s, verb: machineLoss, node: a0 }
  - { at: 5s, verb: restart, node: a0 }
checks: [lost, unexpected]
`;
}

/**
 * apache/rocketmq#3015: after a master's machine is replaced empty, its old
 * slave reports an offset past the new master's log end, and a 4.9
 * SYNC_MASTER takes that report as replication of every later put
 * (push2SlaveMaxOffset), while the slave refuses the frames that do not
 * continue its own log. A second loss of the replacement takes what it
 * acknowledged since.
 */
const DOUBLE_MACHINE_LOSS = `
system: rocketmq
version: "4.9"
name: q1-sync-master-double-loss
description: One broker group, a 4.9 SYNC_MASTER with one slave, SYNC_FLUSH, no consumer. The master's machine is lost for good at 40 s and replaced empty at 41 s; the replacement is lost again at 70 s and replaced at 71 s. After the first loss the slave holds more than the empty replacement and reports its own log end, which a 4.9 master takes as replication of every later put (push2SlaveMaxOffset covers them, apache/rocketmq#3015) while the slave refuses frames that do not continue its log. So the replacement answers SEND_OK for messages on no other machine, and the second loss takes them.
seed: 1
duration: 75s
cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 1 }
topics: [{ name: orders, queueNums: 4 }]
producers:
  - { name: shop, topic: orders, rate: 200/s, messageSize: 1KiB, startAt: 2s }
config: { brokerRole: SYNC_MASTER, flushDiskType: SYNC_FLUSH }
faults:
  - { at: 40s, verb: machineLoss, node: a0 }
  - { at: 41s, verb: restart, node: a0 }
  - { at: 70s, verb: machineLoss, node: a0 }
  - { at: 71s, verb: restart, node: a0 }
checks: [lost, unexpected]
`;

function dLedger(name: string, description: string, faults: string, duration: string): string {
  return `
system: rocketmq
version: "4.9"
name: ${name}
description: ${description}
seed: 31
duration: ${duration}
${cluster(1, 2)}
config: { enableDLegerCommitLog: true }
faults:
${faults}
`;
}

const DLEDGER_LEADER_CRASH = dLedger(
  "c11-dledger-leader-crash",
  "One broker group in DLedger mode (enableDLegerCommitLog, RocketMQ 4.9), three members a0, a1, a2. They start as candidates and elect a leader within a second (here a0), which becomes the master and registers as brokerId 0. Its process is killed at 5 s and restarts at 15 s. The others notice after three missed heartbeats (2 s apart) and elect a new master about 7 s after the crash, which registers at once; the producer and consumer learn it at their next route poll (every 30 s), and until then their requests to the old master fail. Every SEND_OK waited for a quorum, so nothing acknowledged is lost.",
  "  - { at: 5s, verb: processCrash, node: a0 }\n  - { at: 15s, verb: restart, node: a0 }",
  "40s",
);

const DLEDGER_RACK_POWER_LOSS = dLedger(
  "c11-dledger-rack-power-loss",
  "The same DLedger group; all three members lose power at 5 s (one rack, one power feed) and come back at 7 s. DLedger counts an entry once a quorum has written it to the page cache and flushes every 10 ms (flushFileInterval), so the messages acknowledged in the last moments before the outage were on no device and are gone from every member. Classic SYNC_FLUSH masters (c11-sync-double-write-sync-flush) keep them.",
  "  - { at: 5s, verb: powerLoss, node: a0 }\n  - { at: 5s, verb: powerLoss, node: a1 }\n  - { at: 5s, verb: powerLoss, node: a2 }\n  - { at: 7s, verb: restart, node: a0 }\n  - { at: 7s, verb: restart, node: a1 }\n  - { at: 7s, verb: restart, node: a2 }",
  "20s",
);

const DOCUMENTS: PresetDocument[] = [
  { name: "c11-multi-master", claim: "C11", title: "multi-master: a master down, writes go to the others", expect: "ok", yaml: MULTI_MASTER },
  { name: "c11-slave-read", claim: "C11", title: "master/slave (4.9): reads from the slave while its master is down", expect: "ok", yaml: SLAVE_READ },
  { name: "c11-slave-read-5x", claim: "C11", title: "master/slave (5.3): the slave refuses reads unless slaveReadEnable", expect: "ok", yaml: SLAVE_READ_5 },
  { name: "c11-sync-double-write-power-loss", claim: "C11", title: "synchronous double write with ASYNC_FLUSH: after the master's power loss its slave alone holds acknowledged messages, and offsets are reused", expect: "safety-failed", yaml: syncDoubleWrite("c11-sync-double-write-power-loss", "ASYNC_FLUSH") },
  { name: "c11-sync-double-write-sync-flush", claim: "C11", title: "synchronous double write with SYNC_FLUSH: the master's power loss takes nothing acknowledged", expect: "ok", yaml: syncDoubleWrite("c11-sync-double-write-sync-flush", "SYNC_FLUSH") },
  { name: "c11-dledger-leader-crash", claim: "C11", title: "DLedger: the master's crash elects a new one; nothing acknowledged lost", expect: "ok", yaml: DLEDGER_LEADER_CRASH },
  { name: "c11-dledger-rack-power-loss", claim: "C11", title: "DLedger acknowledges before its flush: the whole group's power loss takes acknowledged messages", expect: "safety-failed", yaml: DLEDGER_RACK_POWER_LOSS },
  { name: "q1-async-master-machine-loss", claim: "Q1", title: "ASYNC_MASTER: the master's machine lost for good takes what it acknowledged before its slave had it", expect: "safety-failed", yaml: machineLoss("q1-async-master-machine-loss", "ASYNC_MASTER") },
  { name: "q1-sync-master-machine-loss", claim: "Q1", title: "SYNC_MASTER: everything acknowledged survives the master's machine on its slave", expect: "ok", yaml: machineLoss("q1-sync-master-machine-loss", "SYNC_MASTER") },
  { name: "q1-sync-master-double-loss", claim: "Q1", title: "SYNC_MASTER, the replacement master lost again: the old slave's offset made it take its puts as replicated (#3015)", expect: "safety-failed", yaml: DOUBLE_MACHINE_LOSS },
  { name: "q2-async-flush-power-loss", claim: "Q2", title: "ASYNC_FLUSH: a power loss takes acknowledged messages", expect: "safety-failed", yaml: flushPowerLoss("q2-async-flush-power-loss", "ASYNC_FLUSH") },
  { name: "q2-sync-flush-power-loss", claim: "Q2", title: "SYNC_FLUSH: a power loss takes nothing acknowledged", expect: "ok", yaml: flushPowerLoss("q2-sync-flush-power-loss", "SYNC_FLUSH") },
  { name: "q3-slave-gone-resend", claim: "Q3", title: "SYNC_MASTER, slave gone: SLAVE_NOT_AVAILABLE, the application resends, effects repeat", expect: "safety-failed", yaml: slaveLossResend("q3-slave-gone-resend", false) },
  { name: "q3-slave-gone-resend-idempotent", claim: "Q3", title: "the same with an idempotent consumer: each effect once", expect: "ok", yaml: slaveLossResend("q3-slave-gone-resend-idempotent", true) },
];

export const ROCKET_PRESETS: readonly Preset[] = DOCUMENTS.map(presetFromYaml);
