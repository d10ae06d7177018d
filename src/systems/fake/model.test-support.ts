/**
 * The fake system's model: one queue server ("q1") that appends each message
 * to a log on its disk and acknowledges it, after an fsync when
 * `cluster.fsync` is true, and producers that send at a constant rate over
 * one connection each. Small on purpose: it exists to show that a system is
 * a folder plus one line in src/systems/index.ts (system.test-support.ts),
 * and every shared piece (world, faults, history, checks, run sequence,
 * summaries, fault search) works for it unchanged.
 */
import type { CheckInputs, RunChecksOptions } from "../../checks/run-checks.js";
import type { History } from "../../history/history.js";
import { assert, type Kernel } from "../../kernel/index.js";
import type { ProbeThread } from "../../run/system.js";
import { runSequence, type RunSequenceResult, type RunSequenceSpec, type RunStages } from "../../run/run-sequence.js";
import type { Endpoint } from "../../world/connection.js";
import type { DiskFile } from "../../world/disk.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";

export const FAKE_SERVER = "q1";
export const FAKE_TRAFFIC = "fake-data";
export const FAKE_STREAM = "q";
export const FAKE_FINAL_READ_GROUP = "final-read";
const PORT = "fake";
const MESSAGE_BYTES = 100;
const ACK_BYTES = 16;
const IN_FLIGHT_MAX = 100;
const RECONNECT_NS = 100_000_000;

export interface FakeRunSpec extends RunSequenceSpec {
  producers: { name: string; ratePerSec: number }[];
  /** Acknowledge after an fsync (safe against power loss) or after the append alone. */
  fsync: boolean;
  checks?: RunChecksOptions;
}

export interface FakeCluster {
  world: World;
  server: FakeServer;
}

export type FakeRunResult = RunSequenceResult<FakeCluster>;

export function runFake(spec: FakeRunSpec): FakeRunResult {
  return runSequence(spec, new FakeRunStages(spec));
}

class FakeServer implements NodeSoftware {
  log: DiskFile<number> | null = null;

  constructor(
    private readonly world: World,
    private readonly fsync: boolean,
  ) {}

  start(node: WorldNode): void {
    this.log = this.world.disk(node.name).open<number>("queue.log");
    this.world.net.listen(node, PORT, { accept: () => ({ onData: (endpoint, payload) => this.onMessage(node, endpoint, payload as number), onClose: () => undefined }) });
  }

  private onMessage(node: WorldNode, endpoint: Endpoint, idFirst: number): void {
    const disk = this.world.disk(node.name);
    const log = this.log!;
    const position = log.recordCount;
    if (disk.append(log, idFirst, MESSAGE_BYTES) !== "ok") return;
    if (!this.fsync) endpoint.send({ idFirst, position }, ACK_BYTES);
    else disk.fsync(log, () => endpoint.send({ idFirst, position }, ACK_BYTES), null);
  }
}

class FakeProducer implements NodeSoftware {
  private endpoint: Endpoint | null = null;
  private node: WorldNode | null = null;
  /** Message id → when it was sent, for those not yet answered. */
  readonly inFlight = new Map<number, number>();

  constructor(
    private readonly world: World,
    private readonly name: string,
    private readonly ratePerSec: number,
    private readonly history: History,
    private readonly stopNs: number,
  ) {}

  start(node: WorldNode): void {
    this.node = node;
    this.giveUpInFlight("PROCESS_RESTARTED");
    this.connect();
    if (this.ratePerSec > 0) node.after(Math.round(1e9 / this.ratePerSec), () => this.tick());
  }

  private connect(): void {
    const node = this.node!;
    this.world.net.connect(node, this.world.node(FAKE_SERVER), PORT, FAKE_TRAFFIC, {
      onOpen: (endpoint) => (this.endpoint = endpoint),
      onData: (_, payload) => this.onAck(payload as { idFirst: number; position: number }),
      onClose: () => {
        this.endpoint = null;
        this.giveUpInFlight("CONNECTION_CLOSED");
        node.after(RECONNECT_NS, () => this.connect());
      },
    });
  }

  private tick(): void {
    const now = this.world.kernel.now;
    if (now >= this.stopNs) return;
    if (this.endpoint !== null && this.inFlight.size < IN_FLIGHT_MAX) {
      const idFirst = this.history.reserveIds(1);
      this.history.record({ type: "send", timeNs: now, client: this.name, idFirst, count: 1 });
      this.inFlight.set(idFirst, now);
      this.endpoint.send(idFirst, MESSAGE_BYTES);
    }
    this.node!.after(Math.round(1e9 / this.ratePerSec), () => this.tick());
  }

  private onAck(ack: { idFirst: number; position: number }): void {
    if (!this.inFlight.delete(ack.idFirst)) return;
    this.history.record({ type: "send-result", timeNs: this.world.kernel.now, client: this.name, idFirst: ack.idFirst, count: 1, outcome: "ok", stream: FAKE_STREAM, position: ack.position, error: "", server: FAKE_SERVER });
  }

  private giveUpInFlight(error: string): void {
    for (const idFirst of this.inFlight.keys()) {
      this.history.record({ type: "send-result", timeNs: this.world.kernel.now, client: this.name, idFirst, count: 1, outcome: "unknown", stream: FAKE_STREAM, position: -1, error });
    }
    this.inFlight.clear();
  }
}

class FakeRunStages implements RunStages<FakeCluster> {
  private cluster: FakeCluster | null = null;
  private history: History | null = null;
  private producers: FakeProducer[] = [];

  constructor(private readonly spec: FakeRunSpec) {}

  build(kernel: Kernel, history: History): FakeCluster {
    const world = new World({ kernel, nodes: [{ name: FAKE_SERVER }, ...this.spec.producers.map((p) => ({ name: p.name }))] });
    const server = new FakeServer(world, this.spec.fsync);
    world.install(FAKE_SERVER, server);
    this.producers = this.spec.producers.map((p) => {
      const producer = new FakeProducer(world, p.name, p.ratePerSec, history, this.spec.faultPhaseNs);
      world.install(p.name, producer);
      return producer;
    });
    this.cluster = { world, server };
    this.history = history;
    return this.cluster;
  }

  pendingReasons(): string[] {
    const reasons: string[] = [];
    if (!this.built().world.node(FAKE_SERVER).isProcessAlive) reasons.push(`${FAKE_SERVER} is down`);
    this.producers.forEach((producer, k) => {
      if (producer.inFlight.size > 0) reasons.push(`producer ${this.spec.producers[k]!.name} waits for ${producer.inFlight.size} answers`);
    });
    return reasons;
  }

  finalRead(nowNs: number): CheckInputs {
    const log = this.built().server.log;
    const entries = (log?.records ?? []).map((record, position) => ({ position, idFirst: record.value, count: 1 }));
    for (const entry of entries) this.history!.record({ type: "deliver", timeNs: nowNs, client: "final-reader", group: FAKE_FINAL_READ_GROUP, stream: FAKE_STREAM, ...entry });
    return { finalLogs: [{ stream: FAKE_STREAM, entries }] };
  }

  checkOptions(): RunChecksOptions {
    return { ...this.spec.checks, lost: { groups: [FAKE_FINAL_READ_GROUP], ...this.spec.checks?.lost } };
  }

  /** The fake models no CPU; its one gauge is the producers' unanswered sends. */
  probe(): { threads: ProbeThread[]; gauges: Record<string, number> } {
    return { threads: [], gauges: { "sends in flight": this.producers.reduce((sum, producer) => sum + producer.inFlight.size, 0) } };
  }

  private built(): FakeCluster {
    assert(this.cluster !== null, "the run's stages are used before the cluster is built");
    return this.cluster;
  }
}
