/**
 * What an ActiveMQ run of a scenario will cost, estimated before it runs
 * (src/scenario/run-estimate.ts says why). First estimates from the model's
 * mechanics, to be replaced by measurements (reports/bench-activemq.md):
 * per persistent send about 8 events (the message's delivery, the journal's
 * batch, write and sync, the response's delivery) plus 6 per consuming
 * queue (dispatch, processing, ack, the removal's journal write), more over
 * a shared store (each write and commit a round trip to its server);
 * background: keep-alives, lock polls and checkpoints, a few events per
 * second per node.
 */
import { BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, horizonSeconds, type RunEstimate } from "../../scenario/run-estimate.js";
import type { ActiveMqScenario } from "./scenario-schema.js";

const EVENTS_PER_SEC_PER_NODE = 10;
const EVENTS_PER_SEND = 8;
const EVENTS_PER_SEND_SHARED_STORE = 6;
const EVENTS_PER_SEND_PER_CONSUMED_QUEUE = 6;
/** Heap per stored message: the store's record and index entry and the queue's. */
const BYTES_PER_SEND = 400;

export function estimateActiveMqRun(scenario: ActiveMqScenario): RunEstimate {
  const seconds = horizonSeconds(scenario);
  const { cluster } = scenario;
  const servers = cluster.brokers + (cluster.sharedStore === undefined && scenario.persistenceAdapter.jdbc === undefined ? 0 : 1);
  const clients = scenario.producers.reduce((n, p) => n + p.count, 0) + scenario.consumers.reduce((n, c) => n + c.count, 0);
  const backgroundEvents = EVENTS_PER_SEC_PER_NODE * (servers + clients) * seconds;
  const consumedQueues = new Set(scenario.consumers.map((consumer) => consumer.queue));
  let sends = 0;
  let consumedSends = 0;
  for (const producer of scenario.producers) {
    const count = producer.rate * producer.count * (scenario.duration / 1e9);
    sends += count;
    if (consumedQueues.has(producer.queue)) consumedSends += count;
  }
  const perSend = EVENTS_PER_SEND + (cluster.sharedStore === undefined && scenario.persistenceAdapter.jdbc === undefined ? 0 : EVENTS_PER_SEND_SHARED_STORE);
  const events = backgroundEvents + sends * perSend + consumedSends * EVENTS_PER_SEND_PER_CONSUMED_QUEUE;
  // send and send-result, then a delivery and an effect when consumed, or the final read's delivery when not.
  const historyRecords = sends * 3 + consumedSends;
  const memoryBytes = BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD + sends * BYTES_PER_SEND;
  return { batches: sends, events, backgroundEvents, historyRecords, memoryBytes };
}
