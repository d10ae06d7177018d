/**
 * What a RocketMQ run of a scenario will cost, estimated before it runs
 * (src/scenario/run-estimate.ts says why). First estimates, from the
 * model's mechanics, to be replaced by measurements
 * (reports/bench-rocketmq.md): per send about 8 events on the master
 * (request, pool, put lock, reput, answer) plus 4 per slave (HA frame,
 * append, report) and 6 per consuming group (pull, answer, consume);
 * background: NameServer registrations, route polls and heartbeats, HA
 * heartbeats and long-polling checks, a few events per second per node.
 */
import { BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, horizonSeconds, type RunEstimate } from "../../scenario/run-estimate.js";
import type { RocketScenario } from "./scenario-schema.js";

const EVENTS_PER_SEC_PER_NODE = 20;
const EVENTS_PER_SEND = 8;
const EVENTS_PER_SEND_PER_SLAVE = 4;
const EVENTS_PER_SEND_PER_GROUP = 6;
/** Heap per stored put: the commit log record and its consume queue entry, on the master and each slave. */
const BYTES_PER_SEND_PER_REPLICA = 300;

export function estimateRocketRun(scenario: RocketScenario): RunEstimate {
  const seconds = horizonSeconds(scenario);
  const { cluster } = scenario;
  const nodes = cluster.nameServers + cluster.brokerGroups * (1 + cluster.slavesPerGroup) + scenario.producers.length + scenario.consumers.length;
  const backgroundEvents = EVENTS_PER_SEC_PER_NODE * nodes * seconds;
  const groups = new Set(scenario.consumers.map((consumer) => consumer.group)).size;
  let sends = 0;
  for (const producer of scenario.producers) sends += ((producer.rate * producer.count) / producer.batch) * (scenario.duration / 1e9);
  const events = backgroundEvents + sends * (EVENTS_PER_SEND + EVENTS_PER_SEND_PER_SLAVE * cluster.slavesPerGroup + EVENTS_PER_SEND_PER_GROUP * groups);
  // send, send-result, the final read, and per group a delivery, an effect and a share of the offset commits.
  const historyRecords = sends * (3 + 2.2 * groups);
  const memoryBytes = BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD + sends * (1 + cluster.slavesPerGroup) * BYTES_PER_SEND_PER_REPLICA;
  return { batches: sends, events, backgroundEvents, historyRecords, memoryBytes };
}
