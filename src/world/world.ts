/**
 * The world: nodes, the network between them and a disk in each, driven by
 * one kernel. Faults are verbs on the world (`processCrash`, `powerLoss`,
 * `restart`, `pause`, `resume`, `partition`, `heal`, `slowDisk`, …), usable
 * from fault schedules and from tests that read like scripts.
 *
 * A verb aimed at a node in the wrong state (crash a crashed node, resume a
 * running one) does nothing and returns false: generated fault schedules are
 * full of those, and they are not bugs.
 */
import { assert } from "../kernel/assert.js";
import type { Kernel } from "../kernel/kernel.js";
import { ClusterLog } from "./cluster-log.js";
import { Disk, type DiskOptions } from "./disk.js";
import { diskProfile, type DiskProfile } from "./disk-profile.js";
import { Network, type DatagramFaults, type NetworkOptions } from "./network.js";
import type { LinkTraffic } from "./traffic-counters.js";
import { WorldNode, type NodeSoftware } from "./node.js";
import type { PartitionSpec } from "./partition.js";

/** How long an orderly stop takes between the notice to the software and the process's exit. */
export const SHUTDOWN_GRACE_NS = 50_000_000;
/** How long a service manager waits for a stopping process that asked for time before it kills it (systemd's TimeoutStopSec, 90 s). */
export const SHUTDOWN_TIMEOUT_NS = 90_000_000_000;

export interface NodeSpec {
  name: string;
  rack?: string;
  /** Disk profile name or a full profile; defaults to the world's. */
  disk?: string | DiskProfile;
}

export interface WorldOptions {
  kernel: Kernel;
  /** Node specs, or a count (nodes "n1".."nN"). */
  nodes: NodeSpec[] | number;
  network?: Partial<NetworkOptions>;
  /** Default disk profile for every node ("hdd", "sata-ssd", "nvme", "nvme-plp"). */
  disk?: string | DiskProfile;
  /** Page-cache tuning shared by all disks. */
  diskOptions?: Omit<DiskOptions, "node" | "scheduler" | "trace" | "marks" | "profile">;
}

export class World {
  readonly kernel: Kernel;
  readonly nodes: readonly WorldNode[];
  readonly net: Network;
  /** What the cluster did (elections, in-sync sets, truncations, nodes declared down): an observation for reports, read by nothing in the run. */
  readonly clusterLog: ClusterLog;
  private readonly disks: readonly Disk[];
  private readonly byName = new Map<string, WorldNode>();

  constructor(options: WorldOptions) {
    this.kernel = options.kernel;
    const specs = typeof options.nodes === "number" ? numberedNodes(options.nodes) : options.nodes;
    assert(specs.length > 0, "a world needs at least one node");
    const scheduler = options.kernel.scheduler;
    this.nodes = specs.map((spec, index) => new WorldNode({ index, name: spec.name, ...(spec.rack === undefined ? {} : { rack: spec.rack }), scheduler }));
    for (const node of this.nodes) {
      assert(!this.byName.has(node.name), `duplicate node name "${node.name}"`);
      this.byName.set(node.name, node);
    }
    this.clusterLog = new ClusterLog(options.kernel.scheduler);
    this.net = new Network({
      scheduler,
      rng: options.kernel.rng,
      trace: options.kernel.trace,
      marks: options.kernel.marks,
      nodes: this.nodes,
      ...(options.network === undefined ? {} : { network: options.network }),
    });
    this.disks = this.nodes.map((node, index) => {
      const chosen = specs[index]!.disk ?? options.disk ?? "nvme";
      return new Disk({
        ...options.diskOptions,
        node,
        scheduler,
        trace: options.kernel.trace,
        marks: options.kernel.marks,
        profile: typeof chosen === "string" ? diskProfile(chosen) : chosen,
      });
    });
  }

  node(name: string): WorldNode {
    const node = this.byName.get(name);
    if (node === undefined) throw new Error(`unknown node "${name}" (known: ${this.nodes.map((n) => n.name).join(", ")})`);
    return node;
  }

  disk(name: string): Disk {
    return this.disks[this.node(name).index]!;
  }

  get now(): number {
    return this.kernel.scheduler.now;
  }

  /** Installs the software a node runs; it starts at boot and at every restart. */
  install(name: string, software: NodeSoftware): void {
    this.node(name).software = software;
  }

  /** Powers on every node that has never run and starts its software (restarts go through restart()). */
  boot(): void {
    for (const node of this.nodes) {
      if (node.incarnation === 0) this.start(node);
    }
  }

  // ---------------------------------------------------------------- fault verbs

  /** kill -9: the process dies, the OS (page cache, NIC) lives on. */
  processCrash(name: string): boolean {
    const node = this.node(name);
    if (node.state === "crashed") return false;
    this.kernel.trace.record("fault.process-crash", name, node.incarnation);
    this.kernel.marks.hit("world.process-crash");
    node.markDown("process-crash");
    this.net.onProcessCrash(node);
    this.disks[node.index]!.processCrash();
    return true;
  }

  /**
   * An orderly stop (`rabbitmqctl stop`, `systemctl stop`): the software is
   * told first and gets SHUTDOWN_GRACE_NS to say goodbye, then the process
   * exits as in a crash. Software that does not care sees a crash.
   */
  shutdown(name: string): boolean {
    const node = this.node(name);
    if (node.state !== "up") return false;
    this.kernel.trace.record("fault.shutdown", name, node.incarnation);
    this.kernel.marks.hit("world.shutdown");
    const incarnation = node.incarnation;
    // The exit ends this incarnation only: a late call after a restart does nothing.
    const exit = (): void => {
      if (node.incarnation === incarnation && node.isProcessAlive) this.processCrash(name);
    };
    const waitsForItself = node.software?.shutdown?.(node, exit) === true;
    if (waitsForItself) this.kernel.marks.hit("world.shutdown.software-exit");
    this.kernel.scheduler.after(waitsForItself ? SHUTDOWN_TIMEOUT_NS : SHUTDOWN_GRACE_NS, exit);
    return true;
  }

  /** The machine loses power: every write that was not made durable is gone. */
  powerLoss(name: string): boolean {
    const node = this.node(name);
    if (!node.isMachineUp) return false;
    this.kernel.trace.record("fault.power-loss", name, node.incarnation);
    this.kernel.marks.hit("world.power-loss");
    const wasProcessAlive = node.isProcessAlive;
    if (wasProcessAlive) node.markDown("power-loss");
    else node.markPowerOff();
    this.net.onPowerLoss(node, wasProcessAlive);
    this.disks[node.index]!.powerLoss();
    return true;
  }

  /**
   * The machine is lost for good (a dead board, a burnt disk): it loses
   * power, and the disk it had is gone; the next restart brings up a
   * replacement under the same name with an empty disk, as an operator
   * would. What only this machine held is lost whatever was flushed.
   */
  machineLoss(name: string): boolean {
    const node = this.node(name);
    this.kernel.trace.record("fault.machine-loss", name, node.incarnation);
    this.kernel.marks.hit("world.machine-loss");
    this.powerLoss(name);
    this.disks[node.index]!.replace();
    return true;
  }

  /** Starts a crashed node again: the software recovers from what its disk holds. */
  restart(name: string): boolean {
    const node = this.node(name);
    if (node.state !== "crashed") return false;
    this.kernel.trace.record("fault.restart", name, node.incarnation + 1);
    this.kernel.marks.hit("world.restart");
    this.start(node);
    return true;
  }

  /** A stop-the-world pause (GC, VM stall): alive but silent; timers and deliveries wait. */
  pause(name: string): boolean {
    const node = this.node(name);
    if (node.state !== "up") return false;
    this.kernel.trace.record("fault.pause", name, node.incarnation);
    this.kernel.marks.hit("world.pause");
    node.markPaused();
    return true;
  }

  resume(name: string): boolean {
    const node = this.node(name);
    if (node.state !== "paused") return false;
    this.kernel.trace.record("fault.resume", name, node.incarnation);
    node.markResumed();
    return true;
  }

  partition(spec: PartitionSpec, name?: string): string {
    return this.net.partition(spec, name);
  }

  heal(name?: string): number {
    return this.net.heal(name);
  }

  slowDisk(name: string, factor: number): void {
    assert(Number.isFinite(factor) && factor >= 1, `slowDisk factor must be >= 1, got ${factor}`);
    this.kernel.trace.record("fault.slow-disk", name, factor);
    this.disk(name).faults.setSlow(factor);
  }

  fullDisk(name: string): void {
    this.kernel.trace.record("fault.full-disk", name);
    this.disk(name).faults.setFull(true);
  }

  fsyncLies(name: string): void {
    this.kernel.trace.record("fault.fsync-lies", name);
    this.disk(name).faults.setFsyncLies(true);
  }

  tornWrites(name: string): void {
    this.kernel.trace.record("fault.torn-writes", name);
    this.disk(name).faults.setTornWrites(true);
  }

  /** Ends every disk fault on the node. */
  healDisk(name: string): void {
    this.kernel.trace.record("fault.heal-disk", name);
    this.disk(name).faults.clear();
  }

  datagramFaults(faults: DatagramFaults | null): void {
    this.kernel.trace.record("fault.datagram-faults", "*", faults === null ? 0 : 1);
    this.net.setDatagramFaults(faults);
  }

  /** Undoes every fault: heals partitions and disks, resumes paused nodes, restarts crashed ones. */
  healAll(): void {
    this.heal();
    this.datagramFaults(null);
    for (const node of this.nodes) {
      this.disks[node.index]!.faults.clear();
      if (node.state === "paused") this.resume(node.name);
      if (node.state === "crashed") this.restart(node.name);
    }
  }

  // ---------------------------------------------------------------- summary

  links(): LinkTraffic[] {
    return this.net.links();
  }

  private start(node: WorldNode): void {
    node.markBooted();
    this.kernel.trace.record("node.start", node.name, node.incarnation);
    node.software?.start(node);
  }
}

function numberedNodes(count: number): NodeSpec[] {
  assert(Number.isSafeInteger(count) && count > 0, `node count must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, index) => ({ name: `n${index + 1}` }));
}
