/**
 * A small world for the producer's tests: a stub NameServer ("ns") that
 * answers every route query with one fixed route, two stub brokers ("b1" is
 * broker-a's master, "b2" broker-b's) that answer SEND_MESSAGE as each test
 * tells them and log what they got, and the producer on "p". Latency is
 * constant, so deadlines measured from a send() call are exact.
 */
import { Kernel } from "../../kernel/index.js";
import { History, type HistoryEvent } from "../../history/history.js";
import type { Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { BROKER_PORT, brokerBytesOf, type BrokerMessage, type HeartbeatRequest, type SendCode, type SendMessageRequest } from "./broker-protocol.js";
import { NAMESRV_PORT, namesrvBytesOf, type NamesrvMessage } from "./namesrv-protocol.js";
import { RocketProducer, type RocketProducerWorkload } from "./producer.js";
import { PERM_READ_WRITE, type TopicRouteData } from "./route.js";

export const MS = 1_000_000;
export const SEC = 1_000 * MS;
export const TOPIC = "orders";
export const QUEUES_PER_BROKER = 4;

/** How a stub broker answers a send: a code, or nothing at all. */
export type SendBehaviour = (request: SendMessageRequest, broker: StubBroker) => SendCode | "silence";

export const answer =
  (code: SendCode): SendBehaviour =>
  () =>
    code;
export const silence: SendBehaviour = () => "silence";

/** Codes with which the master stored the message (and assigned it offsets). */
const STORED: ReadonlySet<SendCode> = new Set<SendCode>(["SUCCESS", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);

export interface ReceivedSend {
  atNs: number;
  request: SendMessageRequest;
  code: SendCode | "silence";
  /** The queue offset it was stored at (-1: not stored). */
  queueOffset: number;
}

export class StubBroker implements NodeSoftware {
  readonly sends: ReceivedSend[] = [];
  readonly heartbeats: { atNs: number; request: HeartbeatRequest }[] = [];
  /** Client connections that closed (a client closes one at a request's timeout). */
  closes = 0;
  /** The next offset of each queue id: what the broker stored so far. */
  readonly nextOffsets = new Map<number, number>();

  constructor(
    private readonly world: World,
    readonly brokerName: string,
    public behaviour: SendBehaviour,
    /** How long the broker takes to answer: every request, or each send as the function says (heartbeats at once). */
    public replyDelayNs: number | ((request: SendMessageRequest) => number) = 0,
  ) {}

  start(node: WorldNode): void {
    this.world.net.listen(node, BROKER_PORT, { accept: () => ({ onData: (endpoint, payload) => this.onRequest(node, endpoint, payload as BrokerMessage), onClose: () => void this.closes++ }) });
  }

  private onRequest(node: WorldNode, endpoint: Endpoint, message: BrokerMessage): void {
    if (message.kind === "HEART_BEAT") {
      this.heartbeats.push({ atNs: node.now, request: message });
      return this.reply(node, endpoint, { kind: "HEART_BEAT_RESPONSE", requestId: message.requestId }, typeof this.replyDelayNs === "number" ? this.replyDelayNs : 0);
    }
    if (message.kind !== "SEND_MESSAGE") return;
    const code = this.behaviour(message, this);
    let queueOffset = -1;
    if (code !== "silence" && STORED.has(code)) {
      queueOffset = this.nextOffsets.get(message.queueId) ?? 0;
      this.nextOffsets.set(message.queueId, queueOffset + message.count);
    }
    this.sends.push({ atNs: node.now, request: message, code, queueOffset });
    if (code === "silence") return;
    const delayNs = typeof this.replyDelayNs === "number" ? this.replyDelayNs : this.replyDelayNs(message);
    this.reply(node, endpoint, { kind: "SEND_MESSAGE_RESPONSE", requestId: message.requestId, code, queueOffset }, delayNs);
  }

  private reply(node: WorldNode, endpoint: Endpoint, message: BrokerMessage, delayNs: number): void {
    if (delayNs === 0) return void endpoint.send(message, brokerBytesOf(message));
    node.after(delayNs, () => endpoint.send(message, brokerBytesOf(message)));
  }
}

/** Answers every route query with `route` (null: TOPIC_NOT_EXIST) and logs when it was asked. */
export class StubNameServer implements NodeSoftware {
  readonly queries: number[] = [];

  constructor(
    private readonly world: World,
    public route: TopicRouteData | null,
  ) {}

  start(node: WorldNode): void {
    this.world.net.listen(node, NAMESRV_PORT, { accept: () => ({ onData: (endpoint, payload) => this.onRequest(node, endpoint, payload as NamesrvMessage), onClose: () => {} }) });
  }

  private onRequest(node: WorldNode, endpoint: Endpoint, message: NamesrvMessage): void {
    if (message.kind !== "GET_ROUTEINFO_BY_TOPIC") return;
    this.queries.push(node.now);
    const answer: NamesrvMessage =
      this.route === null
        ? { kind: "GET_ROUTEINFO_RESPONSE", requestId: message.requestId, code: "TOPIC_NOT_EXIST", route: null }
        : { kind: "GET_ROUTEINFO_RESPONSE", requestId: message.requestId, code: "SUCCESS", route: this.route };
    endpoint.send(answer, namesrvBytesOf(answer));
  }
}

/** broker-a on b1 and broker-b on b2, QUEUES_PER_BROKER write queues each. */
export function twoBrokerRoute(): TopicRouteData {
  return {
    queueDatas: [
      { brokerName: "broker-a", readQueueNums: QUEUES_PER_BROKER, writeQueueNums: QUEUES_PER_BROKER, perm: PERM_READ_WRITE },
      { brokerName: "broker-b", readQueueNums: QUEUES_PER_BROKER, writeQueueNums: QUEUES_PER_BROKER, perm: PERM_READ_WRITE },
    ],
    brokerDatas: [
      { cluster: "c", brokerName: "broker-a", brokerAddrs: [[0, "b1"]] },
      { cluster: "c", brokerName: "broker-b", brokerAddrs: [[0, "b2"]] },
    ],
  };
}

export interface ProducerWorldOptions {
  seed?: number;
  a?: SendBehaviour;
  b?: SendBehaviour;
  workload?: Partial<RocketProducerWorkload>;
  stopNs?: number;
  route?: TopicRouteData | null;
}

export interface ProducerWorld {
  kernel: Kernel;
  world: World;
  history: History;
  producer: RocketProducer;
  nameServer: StubNameServer;
  a: StubBroker;
  b: StubBroker;
  runTo(timeNs: number): void;
}

/** Booted at time 0; the producer sends 1 message per second by default, from time 0 to `stopNs` (10 s). */
export function producerWorld(options: ProducerWorldOptions = {}): ProducerWorld {
  const kernel = new Kernel({ seed: options.seed ?? 1 });
  const world = new World({ kernel, nodes: ["ns", "b1", "b2", "p"].map((name) => ({ name })), network: { latency: { kind: "constant", value: 100_000 }, framing: null, connectTimeoutNs: SEC } });
  const history = new History();
  const nameServer = new StubNameServer(world, options.route === undefined ? twoBrokerRoute() : options.route);
  const a = new StubBroker(world, "broker-a", options.a ?? answer("SUCCESS"));
  const b = new StubBroker(world, "broker-b", options.b ?? answer("SUCCESS"));
  const workload: RocketProducerWorkload = { name: "p", topic: TOPIC, messagesPerSecond: 1, messagesPerSend: 1, bodyBytes: 100, ...options.workload };
  const producer = new RocketProducer({ world, workload, namesrvNodes: ["ns"], history, stopNs: options.stopNs ?? 10 * SEC });
  world.install("ns", nameServer);
  world.install("b1", a);
  world.install("b2", b);
  world.install("p", producer);
  world.boot();
  return { kernel, world, history, producer, nameServer, a, b, runTo: (timeNs) => void kernel.scheduler.run({ untilNs: timeNs }) };
}

type EventOf<Type extends HistoryEvent["type"]> = Extract<HistoryEvent, { type: Type }>;

export function eventsOf<Type extends HistoryEvent["type"]>(history: History, type: Type): EventOf<Type>[] {
  return history.events.filter((event): event is EventOf<Type> => event.type === type);
}

/** Every send either broker received, in time order, with the broker that got it. */
export function allSends(pw: ProducerWorld): (ReceivedSend & { brokerName: string })[] {
  const all = [...pw.a.sends.map((send) => ({ ...send, brokerName: "broker-a" })), ...pw.b.sends.map((send) => ({ ...send, brokerName: "broker-b" }))];
  return all.sort((x, y) => x.atNs - y.atNs || x.request.requestId - y.request.requestId);
}

/** The attempts of the send() of message `idFirst`, in order. */
export function attemptsOf(pw: ProducerWorld, idFirst: number): (ReceivedSend & { brokerName: string })[] {
  return allSends(pw).filter((send) => send.request.idFirst === idFirst);
}
