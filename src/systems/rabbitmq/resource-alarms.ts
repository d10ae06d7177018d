/**
 * RabbitMQ's memory and disk alarms (https://www.rabbitmq.com/docs/alarms):
 * a node's vm_memory_monitor checks its memory use every second against
 * vm_memory_high_watermark.relative × the machine's RAM (0.4 up to 3.13,
 * 0.6 from 4.0), and rabbit_disk_monitor checks the free disk space against
 * disk_free_limit.absolute (50 MB) at an interval of 2 × (free − limit) ÷
 * 250 MB/s, clamped to [100 ms, 10 s] (10 s while alarmed): it assumes the
 * disk fills at most that fast (rabbit_disk_monitor.erl, FAST_RATE). "When
 * running RabbitMQ in a cluster, the memory and disk alarms are
 * cluster-wide; if one node goes over the limit then all nodes will block
 * connections": every node tells its peers of its alarms, and forgets a
 * peer's alarms at nodedown (rabbit_alarm). While any alarm is on, nodes
 * stop reading from connections that publish (consumers go on); TCP holds
 * the publishers back.
 *
 * What the model counts as memory (sources in docs/research/rabbitmq-cpu-and-flow.md §2):
 * - message bodies waiting in processes' mailboxes (the work queued on the
 *   node's Erlang schedulers);
 * - per quorum queue member, its in-memory index, "at least 32 bytes of
 *   metadata for each message" (16 more with a TTL), and the node's shared
 *   Ra WAL tables: entries stay in memory until the WAL file reaches
 *   raft.wal_max_size_bytes (512 MiB) and rolls over
 *   (https://www.rabbitmq.com/docs/quorum-queues#resource-use);
 * - classic queues (3.12 and later behave as lazy queues: bodies go to disk,
 *   a small subset stays in memory for delivery): nothing per message.
 * Not counted: the runtime's baseline, connections' buffers, binaries
 * waiting for garbage collection.
 */
import type { WorldNode } from "../../world/node.js";

export type AlarmResource = "memory" | "disk";

/** A node's RAM unless the scenario says (cluster.memory): 16 GiB. */
export const MEMORY_DEFAULT_BYTES = 16 * 1_073_741_824;
/** Quorum queue in-memory index: bytes per message, and more with a TTL (https://www.rabbitmq.com/docs/quorum-queues#resource-use, #queue-and-per-message-ttl). */
export const QUORUM_INDEX_BYTES_PER_MESSAGE = 32;
export const QUORUM_INDEX_TTL_BYTES_PER_MESSAGE = 16;

/** rabbit_disk_monitor's bounds and its assumed fastest fill rate (bytes per ns: 250 MB/s). */
const DISK_CHECK_MIN_NS = 100_000_000;
const DISK_CHECK_MAX_NS = 10_000_000_000;
const DISK_FAST_RATE_BYTES_PER_NS = 0.25;
/** vm_memory_monitor's DEFAULT_MEMORY_CHECK_INTERVAL. */
const MEMORY_CHECK_NS = 1_000_000_000;

export interface AlarmSensors {
  /** Bytes of memory the node uses now (see above). */
  memoryUsedBytes(): number;
  /** The memory limit: vm_memory_high_watermark.relative × the machine's RAM. */
  readonly memoryLimitBytes: number;
  /** Free bytes on the node's data disk now. */
  diskFreeBytes(): number;
  readonly diskFreeLimitBytes: number;
  /** The node's own alarm changed: tell peers, block or unblock publishers. */
  onLocalAlarm(resource: AlarmResource, isOn: boolean): void;
}

/** One node's two monitors. */
export class ResourceMonitors {
  private isMemoryAlarmed = false;
  private isDiskAlarmed = false;
  private isStopped = false;
  private readonly checkMemoryBound = (): void => this.checkMemory();
  private readonly checkDiskBound = (): void => this.checkDisk();

  constructor(
    private readonly node: WorldNode,
    private readonly sensors: AlarmSensors,
  ) {}

  start(): void {
    this.node.after(MEMORY_CHECK_NS, this.checkMemoryBound);
    this.checkDisk();
  }

  /** The node's application stops: the monitors go with it (a restart starts new ones). */
  stop(): void {
    this.isStopped = true;
  }

  get alarms(): AlarmResource[] {
    const on: AlarmResource[] = [];
    if (this.isMemoryAlarmed) on.push("memory");
    if (this.isDiskAlarmed) on.push("disk");
    return on;
  }

  private checkMemory(): void {
    if (this.isStopped) return;
    const isOver = this.sensors.memoryUsedBytes() > this.sensors.memoryLimitBytes;
    if (isOver !== this.isMemoryAlarmed) {
      this.isMemoryAlarmed = isOver;
      this.sensors.onLocalAlarm("memory", isOver);
    }
    this.node.after(MEMORY_CHECK_NS, this.checkMemoryBound);
  }

  private checkDisk(): void {
    if (this.isStopped) return;
    const free = this.sensors.diskFreeBytes();
    const limit = this.sensors.diskFreeLimitBytes;
    const isUnder = free < limit;
    if (isUnder !== this.isDiskAlarmed) {
      this.isDiskAlarmed = isUnder;
      this.sensors.onLocalAlarm("disk", isUnder);
    }
    this.node.after(diskCheckIntervalNs(free, limit, this.isDiskAlarmed), this.checkDiskBound);
  }
}

/** rabbit_disk_monitor:interval/1: sooner the closer free space is to the limit; the longest while alarmed. */
export function diskCheckIntervalNs(freeBytes: number, limitBytes: number, isAlarmed: boolean): number {
  if (isAlarmed) return DISK_CHECK_MAX_NS;
  const idealNs = (2 * (freeBytes - limitBytes)) / DISK_FAST_RATE_BYTES_PER_NS;
  return Math.trunc(Math.max(DISK_CHECK_MIN_NS, Math.min(DISK_CHECK_MAX_NS, idealNs)));
}

/** The cluster's alarms as one node knows them: its own and each peer's (rabbit_alarm). */
export class ClusterAlarms {
  private readonly byNode = new Map<string, Set<AlarmResource>>();
  private count = 0;

  /** Whether publishers are blocked: some node in this node's view has an alarm on. */
  get isBlocking(): boolean {
    return this.count > 0;
  }

  /** Sets one node's alarm; returns whether the cluster's blocking state changed. */
  set(node: string, resource: AlarmResource, isOn: boolean): boolean {
    const wasBlocking = this.isBlocking;
    let alarms = this.byNode.get(node);
    if (alarms === undefined) {
      alarms = new Set();
      this.byNode.set(node, alarms);
    }
    if (isOn && !alarms.has(resource)) {
      alarms.add(resource);
      this.count++;
    } else if (!isOn && alarms.delete(resource)) this.count--;
    return wasBlocking !== this.isBlocking;
  }

  /** A peer went down: its alarms no longer count (rabbit_alarm's nodedown). Returns whether blocking changed. */
  forget(node: string): boolean {
    const wasBlocking = this.isBlocking;
    const alarms = this.byNode.get(node);
    if (alarms !== undefined) {
      this.count -= alarms.size;
      this.byNode.delete(node);
    }
    return wasBlocking !== this.isBlocking;
  }
}
