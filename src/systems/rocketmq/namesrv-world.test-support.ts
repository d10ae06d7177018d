/**
 * A small world for the NameServer tests: NameServers, brokers that only
 * register (a NamesrvRegistrar each), and a client that only polls routes (a
 * RoutePoller), on a network with a constant latency so times are exact.
 */
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, DEFAULT_CLIENT_CONFIG, DEFAULT_NAMESRV_CONFIG, type RocketNamesrvConfig } from "./config.js";
import { NamesrvRegistrar } from "./namesrv-registrar.js";
import type { BrokerRegistration, RegisterBrokerResult } from "./namesrv-protocol.js";
import { RocketNameServer } from "./nameserver.js";
import { PERM_READ_WRITE, type TopicRouteData } from "./route.js";
import { RoutePoller } from "./route-poller.js";

export const MS = 1_000_000;
export const SEC = 1_000 * MS;
export const LATENCY_NS = 100_000;

/** A broker that registers and, on an orderly stop, unregisters. */
export class RegisteringBroker implements NodeSoftware {
  registrar: NamesrvRegistrar | null = null;
  readonly results: { atNs: number; result: RegisterBrokerResult }[] = [];

  constructor(
    private readonly world: World,
    private readonly nameServers: readonly string[],
    readonly registration: BrokerRegistration,
    private readonly config = DEFAULT_BROKER_CONFIG,
  ) {}

  start(node: WorldNode): void {
    this.registrar = new NamesrvRegistrar({
      world: this.world,
      node,
      nameServers: this.nameServers,
      registration: () => this.registration,
      config: this.config,
      onResult: (result) => this.results.push({ atNs: node.now, result }),
    });
    this.registrar.start();
  }

  shutdown(): void {
    this.registrar?.unregisterAll();
  }
}

/** A client that follows routes and remembers each one it was handed. */
export class PollingClient implements NodeSoftware {
  poller: RoutePoller | null = null;
  readonly routes: { atNs: number; topic: string; route: TopicRouteData }[] = [];

  constructor(
    private readonly world: World,
    private readonly nameServers: readonly string[],
    private readonly topics: readonly string[],
  ) {}

  start(node: WorldNode): void {
    this.poller = new RoutePoller({
      world: this.world,
      node,
      nameServers: this.nameServers,
      topics: this.topics,
      config: DEFAULT_CLIENT_CONFIG,
      onRoute: (topic, route) => this.routes.push({ atNs: node.now, topic, route }),
    });
    this.poller.start();
  }

  routeOf(topic: string): TopicRouteData | undefined {
    return this.poller?.routeOf(topic);
  }
}

export interface BrokerSpec {
  node: string;
  brokerName: string;
  brokerId: number;
  queues?: number;
  heartbeatTimeoutMillis?: number;
  /** Leave out enableActingMaster, as a 4.x broker does. */
  isOldVersion?: boolean;
}

export function registrationOf(spec: BrokerSpec): BrokerRegistration {
  const queues = spec.queues ?? 4;
  return {
    clusterName: "DefaultCluster",
    brokerAddr: spec.node,
    brokerName: spec.brokerName,
    brokerId: spec.brokerId,
    haServerAddr: `${spec.node}:ha`,
    topics: [{ name: "t", readQueueNums: queues, writeQueueNums: queues, perm: PERM_READ_WRITE }],
    ...(spec.heartbeatTimeoutMillis === undefined ? {} : { heartbeatTimeoutMillis: spec.heartbeatTimeoutMillis }),
    ...(spec.isOldVersion === true ? {} : { enableActingMaster: false }),
  };
}

export interface NamesrvWorld {
  kernel: Kernel;
  world: World;
  nameServers: Map<string, RocketNameServer>;
  brokers: Map<string, RegisteringBroker>;
  client: PollingClient;
  /** Runs up to (and including) virtual time `timeNs`. */
  runTo(timeNs: number): void;
}

/** NameServers, brokers and one client ("client", following topic "t"), booted at time 0. */
export function namesrvWorld(options: { nameServers: string[]; brokers: BrokerSpec[]; namesrvConfig?: RocketNamesrvConfig; seed?: number }): NamesrvWorld {
  const kernel = new Kernel({ seed: options.seed ?? 1 });
  const nodes = [...options.nameServers, ...options.brokers.map((broker) => broker.node), "client"].map((name) => ({ name }));
  const world = new World({ kernel, nodes, network: { latency: { kind: "constant", value: LATENCY_NS }, framing: null, connectTimeoutNs: SEC } });
  const nameServers = new Map<string, RocketNameServer>();
  for (const name of options.nameServers) {
    const server = new RocketNameServer(world, options.namesrvConfig ?? DEFAULT_NAMESRV_CONFIG);
    world.install(name, server);
    nameServers.set(name, server);
  }
  const brokers = new Map<string, RegisteringBroker>();
  for (const spec of options.brokers) {
    const broker = new RegisteringBroker(world, options.nameServers, registrationOf(spec));
    world.install(spec.node, broker);
    brokers.set(spec.node, broker);
  }
  const client = new PollingClient(world, options.nameServers, ["t"]);
  world.install("client", client);
  world.boot();
  const runTo = (timeNs: number): void => {
    kernel.scheduler.run({ untilNs: timeNs });
  };
  return { kernel, world, nameServers, brokers, client, runTo };
}

/** A route's groups as "brokerName:id=node,…" in brokerName order, for readable assertions. */
export function membersOf(route: TopicRouteData | null | undefined): string[] {
  if (route === null || route === undefined) return [];
  return route.brokerDatas.map((data) => `${data.brokerName}:${data.brokerAddrs.map(([id, addr]) => `${id}=${addr}`).join(",")}`);
}
