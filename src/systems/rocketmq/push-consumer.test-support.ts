/**
 * A small world for the push consumer's tests: a stub NameServer that hands
 * out whatever route the test sets, stub brokers that keep each queue as an
 * in-memory list of message ids and serve pulls from it (long polling
 * included, re-checked at the hold's end as PullRequestHoldService does),
 * consumer offsets, heartbeats, consumer lists and their change notices,
 * and push consumers on client nodes. A constant network latency keeps the
 * times exact.
 */
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import { History } from "../../history/history.js";
import { compareStrings, Kernel, NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { BROKER_PORT, brokerBytesOf, type BrokerMessage, type BrokerRequest, type PullMessageRequest, type PullMessageResponse } from "./broker-protocol.js";
import type { RocketConsumerConfig } from "./config.js";
import type { PulledRange } from "./message-store.js";
import { NAMESRV_PORT, namesrvBytesOf, type NamesrvRequest, type NamesrvResponse } from "./namesrv-protocol.js";
import { RocketPushConsumer } from "./push-consumer.js";
import { PERM_READ_WRITE, type TopicRouteData } from "./route.js";

export const MS = 1_000_000;
export const SEC = 1_000 * MS;
export const LATENCY_NS = 100_000;
export const TOPIC = "t";
export const GROUP = "g";
const MESSAGE_BYTES = 100;

/** A NameServer that answers every route query with `route` (TOPIC_NOT_EXIST while null). */
export class StubNameServer implements NodeSoftware {
  route: TopicRouteData | null = null;

  constructor(private readonly world: World) {}

  start(node: WorldNode): void {
    this.world.net.listen(node, NAMESRV_PORT, {
      accept: (endpoint) => ({
        onData: (_, payload) => {
          const request = payload as NamesrvRequest;
          if (request.kind !== "GET_ROUTEINFO_BY_TOPIC") return;
          const answer: NamesrvResponse =
            this.route === null
              ? { kind: "GET_ROUTEINFO_RESPONSE", requestId: request.requestId, code: "TOPIC_NOT_EXIST", route: null }
              : { kind: "GET_ROUTEINFO_RESPONSE", requestId: request.requestId, code: "SUCCESS", route: this.route };
          endpoint.send(answer, namesrvBytesOf(answer));
        },
        onClose: () => {},
      }),
    });
  }
}

/** A route of broker groups of `queues` queues each: [brokerName, [brokerId, node][]]. */
export function routeOf(groups: readonly (readonly [string, readonly (readonly [number, string])[]])[], queues: number): TopicRouteData {
  return {
    queueDatas: groups.map(([brokerName]) => ({ brokerName, readQueueNums: queues, writeQueueNums: queues, perm: PERM_READ_WRITE })),
    brokerDatas: groups.map(([brokerName, brokerAddrs]) => ({ cluster: "c", brokerName, brokerAddrs })),
  };
}

interface HeldPull {
  endpoint: Endpoint;
  request: PullMessageRequest;
  timer: EventHandle;
}

export interface PullSeen {
  atNs: number;
  client: string;
  queueId: number;
  queueOffset: number;
  commitOffset: number;
}

/** A broker of topic TOPIC: queues as id lists (offset = index), offsets per group and queue, members per group. */
export class StubBroker implements NodeSoftware {
  readonly queues: number[][];
  /** `${group}/${queueId}` → offset: what UPDATE_CONSUMER_OFFSET and a master's pull commitOffset store. */
  readonly stored = new Map<string, number>();
  readonly pulls: PullSeen[] = [];
  readonly offsetUpdates: { atNs: number; queueId: number; offset: number }[] = [];
  readonly queries: { atNs: number; queueId: number }[] = [];
  private members = new Map<string, Map<string, Endpoint>>();
  private held = new Set<HeldPull>();
  private node!: WorldNode;

  constructor(
    private readonly world: World,
    queueCount: number,
    readonly isSlave = false,
    /** A 5.x slave without slaveReadEnable: every pull is answered SYSTEM_BUSY (rejectRequest). */
    readonly rejectsPulls = false,
  ) {
    this.queues = Array.from({ length: queueCount }, () => []);
  }

  start(node: WorldNode): void {
    this.node = node;
    this.members = new Map();
    this.held = new Set();
    this.world.net.listen(node, BROKER_PORT, { accept: (endpoint) => this.accept(endpoint) });
  }

  /** The group's client ids the broker knows, sorted. */
  membersOf(group: string): string[] {
    return [...(this.members.get(group)?.keys() ?? [])].sort(compareStrings);
  }

  storedOffset(queueId: number, group = GROUP): number | undefined {
    return this.stored.get(`${group}/${queueId}`);
  }

  /** New messages at the queue's tail; held pulls of that queue are answered. */
  append(queueId: number, ids: readonly number[]): void {
    this.queues[queueId]!.push(...ids);
    for (const held of [...this.held]) {
      if (held.request.queueId !== queueId) continue;
      this.held.delete(held);
      this.node.cancel(held.timer);
      this.reply(held.endpoint, this.pullAnswer(held.request));
    }
  }

  /** The queue loses its tail (a master that lost unflushed messages): `length` messages stay. */
  truncate(queueId: number, length: number): void {
    this.queues[queueId]!.length = length;
  }

  private accept(endpoint: Endpoint): ConnectionHandler {
    return {
      onData: (_, payload) => this.onRequest(endpoint, payload as BrokerRequest),
      onClose: () => this.onClose(endpoint),
    };
  }

  private onRequest(endpoint: Endpoint, request: BrokerRequest): void {
    const key = (group: string, queueId: number): string => `${group}/${queueId}`;
    switch (request.kind) {
      case "HEART_BEAT":
        for (const { group } of request.consumerGroups) this.join(group, request.clientId, endpoint);
        return this.reply(endpoint, { kind: "HEART_BEAT_RESPONSE", requestId: request.requestId });
      case "GET_CONSUMER_LIST_BY_GROUP":
        return this.reply(endpoint, { kind: "GET_CONSUMER_LIST_RESPONSE", requestId: request.requestId, clientIds: this.membersOf(request.consumerGroup) });
      case "QUERY_CONSUMER_OFFSET": {
        this.queries.push({ atNs: this.node.now, queueId: request.queueId });
        const offset = this.stored.get(key(request.consumerGroup, request.queueId));
        return this.reply(endpoint, { kind: "QUERY_CONSUMER_OFFSET_RESPONSE", requestId: request.requestId, code: offset === undefined ? "QUERY_NOT_FOUND" : "SUCCESS", offset: offset ?? -1 });
      }
      case "GET_MAX_OFFSET":
        return this.reply(endpoint, { kind: "GET_MAX_OFFSET_RESPONSE", requestId: request.requestId, offset: this.queues[request.queueId]!.length });
      case "UPDATE_CONSUMER_OFFSET":
        this.offsetUpdates.push({ atNs: this.node.now, queueId: request.queueId, offset: request.commitOffset });
        this.stored.set(key(request.consumerGroup, request.queueId), request.commitOffset);
        return;
      case "PULL_MESSAGE":
        return this.onPull(endpoint, request);
      default:
        return;
    }
  }

  private onPull(endpoint: Endpoint, request: PullMessageRequest): void {
    this.pulls.push({ atNs: this.node.now, client: endpoint.peerNode.name, queueId: request.queueId, queueOffset: request.queueOffset, commitOffset: request.commitOffset });
    if (this.rejectsPulls) {
      const busy: PullMessageResponse = { kind: "PULL_MESSAGE_RESPONSE", requestId: request.requestId, code: "SYSTEM_BUSY", ranges: [], nextBeginOffset: request.queueOffset, minOffset: 0, maxOffset: 0, suggestWhichBrokerId: 0 };
      return this.reply(endpoint, busy);
    }
    if (request.commitOffset >= 0 && !this.isSlave) this.stored.set(`${request.consumerGroup}/${request.queueId}`, request.commitOffset);
    if (request.queueOffset === this.queues[request.queueId]!.length && request.suspendTimeoutMillis > 0) {
      const held: HeldPull = { endpoint, request, timer: NO_EVENT };
      held.timer = this.node.after(request.suspendTimeoutMillis * MS, () => {
        if (!this.held.delete(held)) return;
        this.reply(endpoint, this.pullAnswer(request));
      });
      this.held.add(held);
      return;
    }
    this.reply(endpoint, this.pullAnswer(request));
  }

  /** DefaultMessageStore.getMessage and PullMessageProcessor's codes, for a queue that starts at offset 0. */
  private pullAnswer(request: PullMessageRequest): PullMessageResponse {
    const ids = this.queues[request.queueId]!;
    const maxOffset = ids.length;
    const base = { kind: "PULL_MESSAGE_RESPONSE" as const, requestId: request.requestId, minOffset: 0, maxOffset, suggestWhichBrokerId: 0 };
    const offset = request.queueOffset;
    if (offset > maxOffset) return { ...base, code: "OFFSET_ILLEGAL", ranges: [], nextBeginOffset: maxOffset };
    if (offset === maxOffset) return { ...base, code: "NO_NEW_MSG", ranges: [], nextBeginOffset: offset };
    const ranges: PulledRange[] = [];
    const end = Math.min(maxOffset, offset + request.maxMsgNums);
    for (let at = offset; at < end; at++) {
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last.idFirst + last.count === ids[at]) {
        last.count++;
        last.sizeBytes += MESSAGE_BYTES;
      } else ranges.push({ queueOffset: at, idFirst: ids[at]!, count: 1, sizeBytes: MESSAGE_BYTES });
    }
    return { ...base, code: "FOUND", ranges, nextBeginOffset: end };
  }

  /** A new member (or one on a new connection) is announced to the group's other members. */
  private join(group: string, clientId: string, endpoint: Endpoint): void {
    let members = this.members.get(group);
    if (members === undefined) {
      members = new Map();
      this.members.set(group, members);
    }
    const isNew = members.get(clientId) !== endpoint;
    members.set(clientId, endpoint);
    if (isNew) this.announce(group, clientId);
  }

  private onClose(endpoint: Endpoint): void {
    for (const held of [...this.held]) if (held.endpoint === endpoint) this.held.delete(held);
    for (const [group, members] of this.members) {
      for (const [clientId, member] of [...members]) {
        if (member !== endpoint) continue;
        members.delete(clientId);
        this.announce(group, clientId);
      }
    }
  }

  private announce(group: string, changed: string): void {
    for (const [clientId, member] of this.members.get(group) ?? []) {
      if (clientId !== changed) this.reply(member, { kind: "NOTIFY_CONSUMER_IDS_CHANGED", consumerGroup: group });
    }
  }

  private reply(endpoint: Endpoint, message: BrokerMessage): void {
    if (endpoint.isOpen) endpoint.send(message, brokerBytesOf(message));
  }
}

export interface ConsumerSpec {
  name: string;
  idempotent?: boolean;
  processNsPerMessage?: number;
  config?: Partial<RocketConsumerConfig>;
}

export interface ConsumerWorld {
  kernel: Kernel;
  world: World;
  history: History;
  nameServer: StubNameServer;
  brokers: Map<string, StubBroker>;
  consumers: Map<string, RocketPushConsumer>;
  /** The group's dedup store, shared by its idempotent members. */
  dedupe: IdempotentConsumer;
  runTo(timeNs: number): void;
  /** Appends `count` new messages (fresh History ids) to a queue of every broker named (a master and its slave alike). */
  feed(brokerNodes: readonly string[], queueId: number, count: number): number[];
}

/** A NameServer "ns", stub brokers on the given nodes, and consumers of group GROUP on topic TOPIC, booted at 0. */
export function consumerWorld(options: { brokers: readonly { node: string; queues: number; isSlave?: boolean; rejectsPulls?: boolean }[]; consumers: readonly ConsumerSpec[]; route: TopicRouteData; seed?: number }): ConsumerWorld {
  const kernel = new Kernel({ seed: options.seed ?? 1 });
  const nodes = ["ns", ...options.brokers.map((broker) => broker.node), ...options.consumers.map((consumer) => consumer.name)].map((name) => ({ name }));
  const world = new World({ kernel, nodes, network: { latency: { kind: "constant", value: LATENCY_NS }, framing: null, connectTimeoutNs: SEC } });
  const history = new History();
  const nameServer = new StubNameServer(world);
  nameServer.route = options.route;
  world.install("ns", nameServer);
  const brokers = new Map<string, StubBroker>();
  for (const spec of options.brokers) {
    const broker = new StubBroker(world, spec.queues, spec.isSlave ?? false, spec.rejectsPulls ?? false);
    world.install(spec.node, broker);
    brokers.set(spec.node, broker);
  }
  const dedupe = new IdempotentConsumer();
  const consumers = new Map<string, RocketPushConsumer>();
  for (const spec of options.consumers) {
    const workload = { name: spec.name, group: GROUP, topic: TOPIC, processNsPerMessage: spec.processNsPerMessage ?? MS, ...(spec.config === undefined ? {} : { config: spec.config }) };
    const consumer = new RocketPushConsumer({ world, workload, namesrvNodes: ["ns"], history, idempotentConsumer: spec.idempotent === true ? dedupe : null });
    world.install(spec.name, consumer);
    consumers.set(spec.name, consumer);
  }
  world.boot();
  const runTo = (timeNs: number): void => {
    kernel.scheduler.run({ untilNs: timeNs });
  };
  const feed = (brokerNodes: readonly string[], queueId: number, count: number): number[] => {
    const idFirst = history.reserveIds(count);
    const ids = Array.from({ length: count }, (_, k) => idFirst + k);
    for (const node of brokerNodes) brokers.get(node)!.append(queueId, ids);
    return ids;
  };
  return { kernel, world, history, nameServer, brokers, consumers, dedupe, runTo, feed };
}

/** Per message id, how many times it was delivered (to any client) and how many effect records name it. */
export function countsById(history: History): { delivered: Map<number, number>; effects: Map<number, number> } {
  const delivered = new Map<number, number>();
  const effects = new Map<number, number>();
  for (const event of history.events) {
    if (event.type !== "deliver" && event.type !== "effect") continue;
    const counts = event.type === "deliver" ? delivered : effects;
    for (let id = event.idFirst; id < event.idFirst + event.count; id++) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return { delivered, effects };
}
