/**
 * How a consumer group divides a topic's queues among its members in
 * clustering mode: AllocateMessageQueueAveragely, the default strategy of
 * DefaultMQPushConsumer. Every member computes it alone, from the same two
 * sorted lists (the queues of the route, the group's client ids as one
 * broker knows them), and takes its own slice; nothing coordinates them, so
 * two members that saw different lists can both take a queue, or neither.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * consumer/rebalance/AllocateMessageQueueAveragely.java and
 * AbstractAllocateMessageQueueStrategy.java (check);
 * remoting/.../protocol/message/MessageQueue.java (compareTo);
 * client/.../impl/consumer/RebalanceImpl.java (rebalanceByTopic sorts both
 * lists before allocating).
 */
import { compareStrings } from "../../kernel/index.js";
import type { MessageQueue } from "./route.js";

/**
 * The slice of `mqAll` that `currentCid` takes: contiguous, the first
 * `mqAll.length % cidAll.length` clients one queue more than the others.
 * Both lists must be sorted (compareMessageQueues, compareStrings).
 * Null where the strategy throws (no queue or no client: the rebalance
 * counts as unbalanced and runs again a second later); empty when
 * `currentCid` is not in `cidAll` (the broker does not know this client
 * yet, or any more: it consumes nothing until it does).
 */
export function allocateAveragely<Queue>(currentCid: string, mqAll: readonly Queue[], cidAll: readonly string[]): Queue[] | null {
  if (mqAll.length === 0 || cidAll.length === 0) return null;
  const index = cidAll.indexOf(currentCid);
  if (index < 0) return [];
  const queueCount = mqAll.length;
  const clientCount = cidAll.length;
  const mod = queueCount % clientCount;
  const hasExtra = mod > 0 && index < mod;
  const averageSize = queueCount <= clientCount ? 1 : hasExtra ? Math.floor(queueCount / clientCount) + 1 : Math.floor(queueCount / clientCount);
  const startIndex = hasExtra ? index * averageSize : index * averageSize + mod;
  const range = Math.min(averageSize, queueCount - startIndex);
  const result: Queue[] = [];
  for (let i = 0; i < range; i++) result.push(mqAll[startIndex + i]!);
  return result;
}

/** MessageQueue.compareTo: by topic, then brokerName, then queueId (the order every member sorts mqAll in). */
export function compareMessageQueues(a: MessageQueue, b: MessageQueue): number {
  return compareStrings(a.topic, b.topic) || compareStrings(a.brokerName, b.brokerName) || a.queueId - b.queueId;
}
