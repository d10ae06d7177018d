/**
 * One node's side of RabbitMQ's resource alarms (resource-alarms.ts): its
 * memory as the model counts it, its monitors while the application runs,
 * the cluster's alarms as it knows them (rabbit_alarm: its own and its
 * peers'), and whether its connections that publish are blocked.
 */
import type { Trace } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import { memoryWatermarkOf, type RabbitMqConfig } from "./config.js";
import type { ErlangSchedulers } from "./erlang-schedulers.js";
import type { QuorumMember } from "./quorum-member.js";
import { ClusterAlarms, QUORUM_INDEX_BYTES_PER_MESSAGE, QUORUM_INDEX_TTL_BYTES_PER_MESSAGE, ResourceMonitors, type AlarmResource } from "./resource-alarms.js";

/** What the alarms need from their node. */
export interface AlarmHost {
  readonly node: WorldNode;
  readonly disk: Disk;
  readonly config: RabbitMqConfig;
  readonly trace: Trace;
  readonly schedulers: ErlangSchedulers;
  /** The node's RAM (bytes). */
  readonly memoryBytes: number;
  quorumMembers(): Iterable<QuorumMember>;
  /** Tells every peer of this node's alarm (rabbit_alarm is cluster-wide). */
  tellPeers(resource: AlarmResource, isOn: boolean): void;
  mark(name: string): void;
  /** The last alarm cleared: every connection reads again. */
  onUnblocked(): void;
}

export class NodeAlarms {
  private monitors: ResourceMonitors | null = null;
  private readonly alarms = new ClusterAlarms();
  /** Bytes in Ra's WAL memory tables on this node since its last roll-over. */
  private walBytes = 0;

  constructor(private readonly host: AlarmHost) {}

  /** A memory or disk alarm is on somewhere in the cluster (in this node's view): publishers are blocked. */
  get isBlocking(): boolean {
    return this.alarms.isBlocking;
  }

  /** This node's own alarms that are on (what a peer that comes up is told). */
  get ownAlarms(): AlarmResource[] {
    return this.monitors?.alarms ?? [];
  }

  /** The application starts: so do its monitors. */
  startMonitors(): void {
    const host = this.host;
    this.monitors = new ResourceMonitors(host.node, {
      memoryUsedBytes: () => this.memoryUsedBytes(),
      memoryLimitBytes: memoryWatermarkOf(host.config) * host.memoryBytes,
      diskFreeBytes: () => host.disk.freeBytes,
      diskFreeLimitBytes: host.config["disk_free_limit.absolute"],
      onLocalAlarm: (resource, isOn) => this.onLocalAlarm(resource, isOn),
    });
    this.monitors.start();
  }

  /** The application stops: its monitors stop and its alarms are cleared. */
  stopMonitors(): void {
    for (const resource of this.ownAlarms) this.onLocalAlarm(resource, false);
    this.monitors?.stop();
    this.monitors = null;
  }

  /** Memory as resource-alarms.ts counts it: mailboxes' message bytes, quorum queues' indexes, Ra's WAL tables. */
  memoryUsedBytes(): number {
    let bytes = this.host.schedulers.queuedBytes + this.walBytes;
    for (const member of this.host.quorumMembers()) {
      const perMessage = QUORUM_INDEX_BYTES_PER_MESSAGE + (member.hasTtl ? QUORUM_INDEX_TTL_BYTES_PER_MESSAGE : 0);
      bytes += (member.content.count + member.consumers.unackedCount) * perMessage;
    }
    return bytes;
  }

  /** A quorum member wrote `bytes` of commands to Ra's WAL: in memory until the WAL rolls over. */
  noteWalAppend(bytes: number): void {
    this.walBytes += bytes;
    if (this.walBytes >= this.host.config["raft.wal_max_size_bytes"]) this.walBytes = 0;
  }

  /** A peer's alarm went on or off. */
  onPeerAlarm(peer: string, resource: AlarmResource, isOn: boolean): void {
    this.set(peer, resource, isOn);
  }

  /** A peer is down: its alarms no longer count. */
  onPeerDown(peer: string): void {
    if (this.alarms.forget(peer)) this.onBlockingChanged();
  }

  private onLocalAlarm(resource: AlarmResource, isOn: boolean): void {
    const host = this.host;
    host.trace.record(`rabbit.alarm.${resource}`, host.node.name, isOn ? 1 : 0);
    if (isOn) host.mark(`rabbit.alarm.${resource}`);
    host.tellPeers(resource, isOn);
    this.set(host.node.name, resource, isOn);
  }

  private set(node: string, resource: AlarmResource, isOn: boolean): void {
    if (this.alarms.set(node, resource, isOn)) this.onBlockingChanged();
  }

  private onBlockingChanged(): void {
    if (this.alarms.isBlocking) this.host.mark("rabbit.publishers-blocked");
    else this.host.onUnblocked();
  }
}
