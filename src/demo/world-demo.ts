/**
 * A randomised world run with no message queue in it: every node runs a small
 * "echo logger" that connects to random peers, sends messages of random sizes,
 * logs what it receives to its disk (fsyncing some of it), acknowledges, and
 * gossips datagrams; a seeded fault schedule crashes, powers off, pauses,
 * partitions and slows nodes, then heals everything.
 *
 * It exercises every part of the kernel and world at once, which makes it the
 * determinism probe (same seed => same digest, in any process) and the
 * "what exists so far" run of `npm start`.
 */
import { distribution } from "../kernel/distribution.js";
import { Kernel } from "../kernel/kernel.js";
import type { RngStream } from "../kernel/rng.js";
import type { StopReason } from "../kernel/scheduler.js";
import { describeFault, type FaultSchedule } from "../faults/fault.js";
import { scheduleFaults } from "../faults/schedule.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "../world/connection.js";
import type { DiskFile } from "../world/disk.js";
import type { NodeSoftware, WorldNode } from "../world/node.js";
import type { LinkTraffic } from "../world/traffic-counters.js";
import { World } from "../world/world.js";

export interface WorldDemoOptions {
  seed: number | string;
  nodeCount: number;
  durationNs: number;
  /** Inject the random fault schedule (default true). */
  withFaults: boolean;
  diskProfile: string;
}

export const DEFAULT_WORLD_DEMO: WorldDemoOptions = {
  seed: 1,
  nodeCount: 5,
  durationNs: 20_000_000_000,
  withFaults: true,
  diskProfile: "sata-ssd",
};

export interface WorldDemoResult {
  seed: string;
  digest: string;
  stopReason: StopReason;
  timeNs: number;
  events: number;
  traceRecords: number;
  messagesSent: number;
  messagesDelivered: number;
  acksReceived: number;
  datagramsDelivered: number;
  recoveredRecords: number;
  faults: string[];
  links: LinkTraffic[];
  droppedPackets: number;
  disks: { node: string; bytesAppended: number; fsyncs: number; bytesLostAtPowerLoss: number }[];
  marks: [string, number][];
}

interface Counters {
  sent: number;
  delivered: number;
  acks: number;
  datagrams: number;
  recovered: number;
}

const APP_PORT = "app";
const GOSSIP_PORT = "gossip";
const ACK_BYTES = 64;

class EchoLogger implements NodeSoftware {
  private node!: WorldNode;
  private rng!: RngStream;
  private log!: DiskFile;
  private readonly peers: Map<string, Endpoint | "connecting"> = new Map();
  private readonly messageSize = distribution({ kind: "lognormal", median: 1024, sigma: 1 });
  private readonly thinkTime = distribution({ kind: "exponential", mean: 2_000_000 });
  private received = 0;
  private readonly onTickBound = (): void => this.onTick();
  private readonly onGossipBound = (): void => this.onGossip();
  private readonly clientHandler: ConnectionHandler;
  private readonly serverHandler: ConnectionHandler;

  constructor(
    private readonly world: World,
    private readonly counters: Counters,
  ) {
    this.clientHandler = {
      onOpen: (endpoint) => this.peers.set(endpoint.peerNode.name, endpoint),
      onData: () => this.counters.acks++,
      onClose: (endpoint, reason) => this.onClientClose(endpoint, reason),
    };
    this.serverHandler = {
      onData: (endpoint, payload, bytes) => this.onMessage(endpoint, payload, bytes),
      onClose: () => undefined,
    };
  }

  start(node: WorldNode): void {
    this.node = node;
    this.peers.clear();
    // A fresh stream per incarnation: a restarted process draws anew, deterministically.
    this.rng = this.world.kernel.rng.stream(`demo:${node.name}#${node.incarnation}`);
    const disk = this.world.disk(node.name);
    this.log = disk.open("inbox.log");
    // Recovery: whatever the disk kept is what this incarnation starts from.
    this.counters.recovered += this.log.records.length;
    this.received = this.log.records.length;
    this.world.kernel.trace.record("demo.recovered", node.name, this.log.records.length);
    this.world.net.listen(node, APP_PORT, { accept: () => this.serverHandler });
    this.world.net.bindDatagram(node, GOSSIP_PORT, { onDatagram: () => this.counters.datagrams++ });
    node.after(this.thinkTime.sample(this.rng), this.onTickBound);
    node.after(50_000_000, this.onGossipBound);
  }

  private onTick(): void {
    const peer = this.randomPeer();
    const link = this.peers.get(peer.name);
    if (link === undefined) {
      this.peers.set(peer.name, "connecting");
      this.world.net.connect(this.node, peer, APP_PORT, "app", this.clientHandler);
    } else if (link !== "connecting" && link.send(this.counters.sent, Math.max(1, this.messageSize.sample(this.rng)))) {
      this.counters.sent++;
    }
    this.node.after(this.thinkTime.sample(this.rng), this.onTickBound);
  }

  private onGossip(): void {
    this.world.net.sendDatagram(this.node, this.randomPeer(), GOSSIP_PORT, "gossip", this.received, 128);
    this.node.after(50_000_000, this.onGossipBound);
  }

  private onMessage(endpoint: Endpoint, payload: unknown, bytes: number): void {
    this.counters.delivered++;
    this.received++;
    const disk = this.world.disk(this.node.name);
    disk.append(this.log, payload, bytes);
    if (this.received % 8 === 0) disk.fsync(this.log, () => undefined, null);
    endpoint.send("ack", ACK_BYTES);
  }

  private onClientClose(endpoint: Endpoint, _reason: CloseReason): void {
    this.peers.delete(endpoint.peerNode.name);
  }

  private randomPeer(): WorldNode {
    const others = this.world.nodes.filter((candidate) => candidate !== this.node);
    return this.rng.pick(others);
  }
}

/** A seeded schedule of every fault kind, ending with everything healed at 80% of the run. */
export function randomFaultSchedule(rng: RngStream, nodeNames: readonly string[], durationNs: number): FaultSchedule {
  const schedule: FaultSchedule = [];
  const faultWindowNs = Math.floor(durationNs * 0.8);
  if (faultWindowNs < 1) return schedule;
  const count = rng.int(4, 10);
  for (let i = 0; i < count; i++) {
    const atNs = rng.int(0, faultWindowNs - 1);
    const healNs = Math.min(faultWindowNs, atNs + rng.int(1_000_000, 2_000_000_000));
    const node = rng.pick(nodeNames);
    switch (rng.int(0, 5)) {
      case 0:
        schedule.push({ atNs, verb: "processCrash", node }, { atNs: healNs, verb: "restart", node });
        break;
      case 1:
        schedule.push({ atNs, verb: "powerLoss", node }, { atNs: healNs, verb: "restart", node });
        break;
      case 2:
        schedule.push({ atNs, verb: "pause", node }, { atNs: healNs, verb: "resume", node });
        break;
      case 3: {
        const name = `p${i}`;
        schedule.push({ atNs, verb: "partition", name, spec: { kind: "isolate", nodes: [node] } }, { atNs: healNs, verb: "heal", name });
        break;
      }
      case 4:
        schedule.push({ atNs, verb: "slowDisk", node, factor: rng.int(2, 20) }, { atNs: healNs, verb: "healDisk", node });
        break;
      default:
        schedule.push({ atNs, verb: "fsyncLies", node }, { atNs: healNs, verb: "healDisk", node });
    }
  }
  schedule.push({ atNs: faultWindowNs, verb: "healAll" });
  return schedule;
}

export function runWorldDemo(overrides: Partial<WorldDemoOptions> = {}): WorldDemoResult {
  const options = { ...DEFAULT_WORLD_DEMO, ...overrides };
  const kernel = new Kernel({ seed: options.seed, budgets: { timeNsMax: options.durationNs, eventsMax: 50_000_000 } });
  const world = new World({ kernel, nodes: options.nodeCount, disk: options.diskProfile });
  const counters: Counters = { sent: 0, delivered: 0, acks: 0, datagrams: 0, recovered: 0 };
  for (const node of world.nodes) world.install(node.name, new EchoLogger(world, counters));
  const schedule = options.withFaults ? randomFaultSchedule(kernel.rng.stream("demo:faults"), world.nodes.map((node) => node.name), options.durationNs) : [];
  scheduleFaults(world, schedule);
  world.boot();
  const result = kernel.scheduler.run({ untilNs: options.durationNs });
  return {
    seed: kernel.seed,
    digest: kernel.digestHex(),
    stopReason: result.reason,
    timeNs: result.timeNs,
    events: kernel.scheduler.eventsFired,
    traceRecords: kernel.trace.recordCount,
    messagesSent: counters.sent,
    messagesDelivered: counters.delivered,
    acksReceived: counters.acks,
    datagramsDelivered: counters.datagrams,
    recoveredRecords: counters.recovered,
    faults: [...schedule].sort((a, b) => a.atNs - b.atNs).map(describeFault),
    links: world.links(),
    droppedPackets: world.net.counters.droppedPackets,
    disks: world.nodes.map((node) => {
      const stats = world.disk(node.name).stats();
      return { node: node.name, bytesAppended: stats.bytesAppended, fsyncs: stats.fsyncCalls, bytesLostAtPowerLoss: stats.bytesLostAtPowerLoss };
    }),
    marks: kernel.marks.entries(),
  };
}
