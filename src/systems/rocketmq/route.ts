/**
 * A topic's route as the NameServer hands it out, and what a client makes
 * of it: the queues a producer may write, the queues a consumer reads, and
 * the broker node a consumer pulls a queue from. Plain data and pure
 * functions, so the NameServer, the clients and the tests share one reading.
 *
 * Sources (apache/rocketmq):
 * - remoting/src/main/java/org/apache/rocketmq/remoting/protocol/route/TopicRouteData.java,
 *   QueueData.java, BrokerData.java (the route's shape; topicRouteDataChanged
 *   compares two routes with both lists sorted);
 * - common/src/main/java/org/apache/rocketmq/common/constant/PermName.java (perm bits);
 * - client/src/main/java/org/apache/rocketmq/client/impl/factory/MQClientInstance.java
 *   (topicRouteData2TopicPublishInfo, topicRouteData2TopicSubscribeInfo,
 *   findBrokerAddressInSubscribe).
 *
 * Not modelled: order-topic configuration (orderTopicConf) and static topics
 * (topicQueueMappingByBroker), which change how the queue lists are built;
 * filter servers.
 */
import { compareStrings } from "../../kernel/index.js";

/** PermName: a queue's permission bits. A topic is created with PERM_READ | PERM_WRITE (6). */
export const PERM_INHERIT = 1;
export const PERM_WRITE = 2;
export const PERM_READ = 4;
export const PERM_READ_WRITE = PERM_READ | PERM_WRITE;

/** MixAll.MASTER_ID: brokerId 0 is a broker group's master; slaves have ids 1, 2, … */
export const MASTER_ID = 0;

/** One broker group's queues of a topic (QueueData). */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
}

/** One broker group (BrokerData): its members' addresses (node names) by brokerId. */
/** Every broker node a route names, masters and slaves. */
export function brokerNodesOf(route: TopicRouteData): string[] {
  return route.brokerDatas.flatMap((data) => data.brokerAddrs.map(([, node]) => node));
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** [brokerId, node name] pairs sorted by brokerId; brokerId 0 is the master. */
  brokerAddrs: readonly (readonly [number, string])[];
}

/** GET_ROUTEINFO_BY_TOPIC's answer (TopicRouteData). */
export interface TopicRouteData {
  queueDatas: readonly QueueData[];
  brokerDatas: readonly BrokerData[];
}

/** A queue of a topic on one broker group (MessageQueue). */
export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

/** Where to pull from (FindBrokerResult): the node, and whether it is a slave. */
export interface FindBrokerResult {
  brokerAddr: string;
  isSlave: boolean;
}

export function isReadable(perm: number): boolean {
  return (perm & PERM_READ) === PERM_READ;
}

export function isWriteable(perm: number): boolean {
  return (perm & PERM_WRITE) === PERM_WRITE;
}

/**
 * The queues a producer chooses among (topicRouteData2TopicPublishInfo):
 * the write queues of every writeable QueueData whose broker group has a
 * master in the route. A group whose master is out of the route (expired at
 * the NameServer, slave left alone) takes no writes, even though its slave
 * is listed. In brokerName order (the client sorts the QueueDatas), then
 * queueId.
 */
export function publishQueues(route: TopicRouteData, topic: string): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const queueData of sortedQueueDatas(route.queueDatas)) {
    if (!isWriteable(queueData.perm)) continue;
    const brokerData = route.brokerDatas.find((data) => data.brokerName === queueData.brokerName);
    if (brokerData === undefined || addressOf(brokerData, MASTER_ID) === null) continue;
    for (let queueId = 0; queueId < queueData.writeQueueNums; queueId++) queues.push({ topic, brokerName: queueData.brokerName, queueId });
  }
  return queues;
}

/**
 * The queues a consumer group divides among its members
 * (topicRouteData2TopicSubscribeInfo): the read queues of every readable
 * QueueData, whether or not its broker group has a master (or any member)
 * in the route, so a consumer keeps reading a group from its slave while the
 * master is gone. The client keeps them in a HashSet; here brokerName order,
 * then queueId, so every reader sees one order.
 */
export function subscribeQueues(route: TopicRouteData, topic: string): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const queueData of sortedQueueDatas(route.queueDatas)) {
    if (!isReadable(queueData.perm)) continue;
    for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) queues.push({ topic, brokerName: queueData.brokerName, queueId });
  }
  return queues;
}

/**
 * The node a consumer pulls a queue of `brokerName` from
 * (findBrokerAddressInSubscribe): the member with `brokerId` if the route
 * lists it; for a slave id, else the next slave (brokerId + 1); else, unless
 * `onlyThisBroker`, the first member the client's map yields. That map is a
 * HashMap of small Long keys, which iterates in ascending brokerId order:
 * the master when it is there, so a pull asked of a slave that is gone falls
 * back to the master, and one asked of the master (the default,
 * MASTER_ID) falls back to the lowest slave while the master is out of the
 * route. Null when the route lists no member of the group.
 */
export function findBrokerAddressInSubscribe(route: TopicRouteData, brokerName: string, brokerId: number, onlyThisBroker: boolean): FindBrokerResult | null {
  const brokerData = route.brokerDatas.find((data) => data.brokerName === brokerName);
  if (brokerData === undefined || brokerData.brokerAddrs.length === 0) return null;
  const isSlaveAsked = brokerId !== MASTER_ID;
  const asked = addressOf(brokerData, brokerId);
  if (asked !== null) return { brokerAddr: asked, isSlave: isSlaveAsked };
  if (isSlaveAsked) {
    const next = addressOf(brokerData, brokerId + 1);
    if (next !== null) return { brokerAddr: next, isSlave: true };
  }
  if (onlyThisBroker) return null;
  const [firstId, firstAddr] = sortedAddrs(brokerData.brokerAddrs)[0]!;
  return { brokerAddr: firstAddr, isSlave: firstId !== MASTER_ID };
}

/** The master's node of `brokerName` in the route, or null when the group has no master there. */
export function masterAddress(route: TopicRouteData, brokerName: string): string | null {
  const brokerData = route.brokerDatas.find((data) => data.brokerName === brokerName);
  return brokerData === undefined ? null : addressOf(brokerData, MASTER_ID);
}

/**
 * Equal as data, whatever the order of the lists (topicRouteDataChanged
 * sorts both routes' QueueDatas and BrokerDatas by brokerName before it
 * compares them).
 */
export function routesEqual(a: TopicRouteData, b: TopicRouteData): boolean {
  return routeKey(normalizedRoute(a)) === routeKey(normalizedRoute(b));
}

/** A copy with QueueDatas and BrokerDatas in brokerName order and each group's members in brokerId order. */
export function normalizedRoute(route: TopicRouteData): TopicRouteData {
  return {
    queueDatas: sortedQueueDatas(route.queueDatas).map(({ brokerName, readQueueNums, writeQueueNums, perm }) => ({ brokerName, readQueueNums, writeQueueNums, perm })),
    brokerDatas: [...route.brokerDatas]
      .sort((a, b) => compareStrings(a.brokerName, b.brokerName))
      .map((brokerData) => ({ cluster: brokerData.cluster, brokerName: brokerData.brokerName, brokerAddrs: sortedAddrs(brokerData.brokerAddrs) })),
  };
}

function addressOf(brokerData: BrokerData, brokerId: number): string | null {
  const entry = brokerData.brokerAddrs.find(([id]) => id === brokerId);
  return entry === undefined ? null : entry[1];
}

/** QueueData.compareTo: by brokerName (a stable sort keeps the rest as given). */
function sortedQueueDatas(queueDatas: readonly QueueData[]): QueueData[] {
  return [...queueDatas].sort((a, b) => compareStrings(a.brokerName, b.brokerName));
}

function sortedAddrs(addrs: readonly (readonly [number, string])[]): [number, string][] {
  return addrs.map(([id, addr]): [number, string] => [id, addr]).sort((a, b) => a[0] - b[0]);
}

/** A canonical text of a normalized route, for equality (arrays built here, so key order cannot differ). */
function routeKey(route: TopicRouteData): string {
  const queues = route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]);
  const brokers = route.brokerDatas.map((b) => [b.cluster, b.brokerName, b.brokerAddrs]);
  return JSON.stringify([queues, brokers]);
}
