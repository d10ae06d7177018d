/**
 * A probe workload for world properties. Every node appends numbered records
 * to its disk (fsyncing every few), keeps a connection to every other node and
 * streams numbered messages over it. The probe writes down what the world
 * promises and reports every broken promise as a violation:
 *
 * - a connection delivers its messages in order, without gaps, and nothing
 *   after it was reported closed;
 * - after a process crash the disk still holds every record appended (page
 *   cache survives); after a power loss it holds at least every record whose
 *   fsync completed, and never anything that was not appended; records are an
 *   in-order prefix;
 * - after everything is healed, every pair of nodes is connected again and
 *   messages flow (liveness).
 */
import { distribution } from "../src/kernel/distribution.js";
import { Kernel } from "../src/kernel/kernel.js";
import type { RngStream } from "../src/kernel/rng.js";
import type { FaultSchedule, TimedFault } from "../src/faults/fault.js";
import { applyFault } from "../src/faults/schedule.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "../src/world/connection.js";
import type { DiskFile } from "../src/world/disk.js";
import type { NodeSoftware, WorldNode } from "../src/world/node.js";
import { World } from "../src/world/world.js";

interface ProbeMessage {
  connectionId: number;
  seq: number;
}

/** What the harness (not the simulated process) knows about a node's disk. */
interface DiskLedger {
  appended: number;
  fsyncAcked: number;
  /** Set at the first crash since the last start: what the recovered log must satisfy. */
  mustHoldAtLeast: number | null;
  mustHoldAtMost: number | null;
}

export interface ProbeOptions {
  seed: number;
  nodeCount: number;
  schedule: FaultSchedule;
  /** Faults happen before this; then everything heals. */
  faultPhaseNs: number;
  /** Time after healing within which the cluster must reconnect and deliver. */
  convergeNs: number;
}

export interface ProbeResult {
  digest: string;
  violations: string[];
  delivered: number;
  recoveredRecords: number;
  marks: Map<string, number>;
}

class Probe implements NodeSoftware {
  private node!: WorldNode;
  private rng!: RngStream;
  private log!: DiskFile<number>;
  private readonly links = new Map<string, Endpoint | "connecting">();
  private readonly nextSeq = new Map<Endpoint, number>();
  private readonly appendGap = distribution({ kind: "exponential", mean: 1_000_000 });
  private readonly onTickBound = (): void => this.onTick();
  private readonly clientHandler: ConnectionHandler;
  private readonly serverHandler: ConnectionHandler;

  constructor(
    private readonly world: World,
    private readonly ledger: DiskLedger,
    private readonly report: (violation: string) => void,
    private readonly onDelivered: (from: string, to: string) => void,
  ) {
    this.clientHandler = {
      onOpen: (endpoint) => {
        this.links.set(endpoint.peerNode.name, endpoint);
        this.nextSeq.set(endpoint, 0);
      },
      onData: () => undefined,
      onClose: (endpoint, reason) => this.onClientClose(endpoint, reason),
    };
    const expected = new Map<Endpoint, number>();
    const closed = new Set<Endpoint>();
    this.serverHandler = {
      onData: (endpoint, payload) => {
        const message = payload as ProbeMessage;
        if (closed.has(endpoint)) this.report(`${endpoint.node.name}: delivery after close on connection ${message.connectionId}`);
        const want = expected.get(endpoint) ?? 0;
        if (message.seq !== want) this.report(`${endpoint.node.name}: connection ${message.connectionId} delivered seq ${message.seq}, expected ${want}`);
        expected.set(endpoint, message.seq + 1);
        this.onDelivered(endpoint.peerNode.name, endpoint.node.name);
      },
      onClose: (endpoint) => {
        closed.add(endpoint);
      },
    };
  }

  start(node: WorldNode): void {
    this.node = node;
    this.links.clear();
    this.nextSeq.clear();
    this.rng = this.world.kernel.rng.stream(`probe:${node.name}#${node.incarnation}`);
    const disk = this.world.disk(node.name);
    this.log = disk.open<number>("probe.log");
    this.recover(this.log);
    this.world.net.listen(node, "probe", { accept: () => this.serverHandler });
    node.after(this.appendGap.sample(this.rng), this.onTickBound);
  }

  private recover(log: DiskFile<number>): void {
    const records = log.records;
    let intact = 0;
    while (intact < records.length && !records[intact]!.torn) {
      if (records[intact]!.value !== intact) this.report(`${this.node.name}: record ${intact} holds ${records[intact]!.value}`);
      intact++;
    }
    if (intact < records.length - 1) this.report(`${this.node.name}: a torn record is not at the tail`);
    if (intact < records.length) this.world.disk(this.node.name).truncate(log, intact);
    const { mustHoldAtLeast, mustHoldAtMost } = this.ledger;
    if (mustHoldAtLeast !== null && intact < mustHoldAtLeast) {
      this.report(`${this.node.name}: recovered ${intact} records, but ${mustHoldAtLeast} were durable`);
    }
    if (mustHoldAtMost !== null && intact > mustHoldAtMost) {
      this.report(`${this.node.name}: recovered ${intact} records, but only ${mustHoldAtMost} were appended`);
    }
    this.ledger.appended = intact;
    this.ledger.fsyncAcked = Math.min(this.ledger.fsyncAcked, intact);
    this.ledger.mustHoldAtLeast = null;
    this.ledger.mustHoldAtMost = null;
  }

  private onTick(): void {
    const disk = this.world.disk(this.node.name);
    const bytes = this.rng.int(100, 200_000);
    if (disk.append(this.log, this.ledger.appended, bytes) === "ok") {
      this.ledger.appended++;
      if (this.ledger.appended % 4 === 0) {
        const covered = this.ledger.appended;
        disk.fsync(this.log, () => {
          this.ledger.fsyncAcked = Math.max(this.ledger.fsyncAcked, covered);
        }, null);
      }
    }
    for (const peer of this.world.nodes) {
      if (peer === this.node) continue;
      const link = this.links.get(peer.name);
      if (link === undefined) {
        this.links.set(peer.name, "connecting");
        this.world.net.connect(this.node, peer, "probe", "data", this.clientHandler);
      } else if (link !== "connecting") {
        const seq = this.nextSeq.get(link)!;
        const message: ProbeMessage = { connectionId: link.connection.id, seq };
        if (link.send(message, this.rng.int(64, 20_000))) this.nextSeq.set(link, seq + 1);
      }
    }
    this.node.after(this.appendGap.sample(this.rng), this.onTickBound);
  }

  private onClientClose(endpoint: Endpoint, _reason: CloseReason): void {
    this.links.delete(endpoint.peerNode.name);
    this.nextSeq.delete(endpoint);
  }
}

export function runProbe(options: ProbeOptions): ProbeResult {
  const kernel = new Kernel({ seed: options.seed, budgets: { eventsMax: 20_000_000, timeNsMax: options.faultPhaseNs + options.convergeNs } });
  const world = new World({
    kernel,
    nodes: options.nodeCount,
    network: { latency: { kind: "uniform", min: 50_000, max: 400_000 }, connectTimeoutNs: 200_000_000 },
    disk: "sata-ssd",
    diskOptions: { dirtyExpireNs: 500_000_000 },
  });
  const violations: string[] = [];
  const ledgers = new Map<string, DiskLedger>();
  const lastDelivery = new Map<string, number>();
  for (const node of world.nodes) {
    const ledger: DiskLedger = { appended: 0, fsyncAcked: 0, mustHoldAtLeast: null, mustHoldAtMost: null };
    ledgers.set(node.name, ledger);
    world.install(node.name, new Probe(world, ledger, (violation) => violations.push(violation), (from, to) => lastDelivery.set(`${from}->${to}`, kernel.now)));
  }
  for (const fault of options.schedule) {
    if (fault.atNs < options.faultPhaseNs) kernel.scheduler.at(fault.atNs, fire, fault);
  }
  kernel.scheduler.at(options.faultPhaseNs, () => world.healAll());

  function fire(fault: TimedFault): void {
    const node = "node" in fault ? world.node(fault.node) : null;
    const wasProcessAlive = node?.isProcessAlive ?? false;
    const wasMachineUp = node?.isMachineUp ?? false;
    if (!applyFault(world, fault) || node === null) return;
    const ledger = ledgers.get(node.name)!;
    if (fault.verb === "processCrash" && wasProcessAlive) {
      // The page cache survives: everything appended must come back.
      ledger.mustHoldAtLeast = ledger.appended;
      ledger.mustHoldAtMost = ledger.appended;
    }
    if (fault.verb === "powerLoss" && wasMachineUp) {
      // Only what an fsync acknowledged is promised; never more than was appended.
      ledger.mustHoldAtLeast = Math.min(ledger.mustHoldAtLeast ?? Infinity, ledger.fsyncAcked);
      ledger.mustHoldAtMost = ledger.mustHoldAtMost ?? ledger.appended;
    }
  }

  world.boot();
  const healedAt = options.faultPhaseNs;
  const result = kernel.scheduler.run({ untilNs: options.faultPhaseNs + options.convergeNs });
  if (result.reason !== "time-reached") violations.push(`run ended with ${result.reason} at ${result.timeNs}`);
  for (const from of world.nodes) {
    for (const to of world.nodes) {
      if (from === to) continue;
      const at = lastDelivery.get(`${from.name}->${to.name}`);
      if (at === undefined || at <= healedAt) violations.push(`liveness: no delivery ${from.name}->${to.name} after healing`);
    }
  }
  let delivered = 0;
  for (const link of world.links()) if (link.trafficClass === "data") delivered += link.packets;
  let recoveredRecords = 0;
  for (const ledger of ledgers.values()) recoveredRecords += ledger.appended;
  return { digest: kernel.digestHex(), violations, delivered, recoveredRecords, marks: new Map(kernel.marks.entries()) };
}
