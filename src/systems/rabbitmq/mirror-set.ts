/**
 * A classic master's mirrors (https://www.rabbitmq.com/docs/ha): which nodes
 * should hold one under the policy (`ha-mode` all / exactly with
 * `ha-params` / nodes), how far each has acknowledged, and whether it is
 * synchronised. A mirror that joins holds only messages published after it
 * joined; with `ha-sync-mode: automatic` the master sends it everything
 * older at once (the queue is blocked while it does), with `manual` it
 * becomes synchronised only when consumers have drained every older message.
 */
import type { HaPolicyDefinition } from "./config.js";
import { copyRecord } from "./queue-record.js";
import type { QueueHost } from "./queue-host.js";
import { segmentBytes, type QueueSegment } from "./queue-segment.js";
import { GM_BROADCAST_TIMER_NS, GmMember, type GmMessage, type GmPayload } from "./gm-ring.js";

interface MirrorState {
  /** Every message with seq < this is acknowledged by the mirror (or predates it). */
  ackedSeqEnd: number;
  /** The master's seqNext when the mirror joined: it lacks everything older. */
  syncFromSeq: number;
  isSynced: boolean;
  isSyncing: boolean;
}

export class MirrorSet {
  private readonly mirrors = new Map<string, MirrorState>();
  /** The master's place on GM's ring (gm-ring.ts): replication goes round it. */
  readonly gm: GmMember;
  /** This master instance's GM group: its broadcasts are numbered from 1, apart from any earlier master's. */
  private readonly group: string;
  private gmSeq = 0;
  /** The newest broadcast back round the ring whose acknowledgement has not gone out yet (0: none). */
  private ackOwed = 0;
  private lastReturned: GmMessage | null = null;
  private isAckTimerArmed = false;
  private isStopped = false;
  private readonly onAckTimerBound = (): void => this.onAckTimer();

  constructor(
    private readonly host: QueueHost,
    private readonly queue: string,
    private readonly policy: HaPolicyDefinition | null,
    private readonly oldestLiveSeq: () => number,
    private readonly seqNext: () => number,
  ) {
    this.gm = new GmMember(host, queue);
    this.group = `${queue}@${host.node.name}#${host.node.incarnation}:${host.node.now}`;
  }

  get names(): string[] {
    return [...this.mirrors.keys()];
  }

  get size(): number {
    return this.mirrors.size;
  }

  isSynced(node: string): boolean {
    return this.mirrors.get(node)?.isSynced ?? false;
  }

  /**
   * Adopts mirrors the record already lists (a promoted master keeps its
   * fellow mirrors, synchronised as the record says), before reconcile().
   */
  adopt(nodes: readonly string[], synced: readonly string[]): void {
    for (const node of nodes) {
      if (node === this.host.node.name || this.mirrors.has(node)) continue;
      const isSynced = synced.includes(node);
      this.mirrors.set(node, { ackedSeqEnd: this.seqNext(), syncFromSeq: isSynced ? 0 : this.seqNext(), isSynced, isSyncing: false });
    }
  }

  /** Nodes the policy wants a mirror on, given who is reachable now. */
  desired(): string[] {
    if (this.policy === null) return [];
    const me = this.host.node.name;
    const up = this.host.clusterNodes.filter((n) => n !== me && this.host.isNodeUp(n));
    switch (this.policy["ha-mode"]) {
      case "all":
        return up;
      case "nodes": {
        const listed = Array.isArray(this.policy["ha-params"]) ? this.policy["ha-params"] : [];
        return up.filter((n) => listed.includes(n));
      }
      case "exactly": {
        const replicas = typeof this.policy["ha-params"] === "number" ? this.policy["ha-params"] : 1;
        // Keep the mirrors we have, then fill in cluster order after the master's node.
        const kept = [...this.mirrors.keys()].filter((n) => up.includes(n));
        const index = this.host.clusterNodes.indexOf(me);
        const rotated = [...this.host.clusterNodes.slice(index + 1), ...this.host.clusterNodes.slice(0, index)];
        for (const n of rotated) if (kept.length < replicas - 1 && up.includes(n) && !kept.includes(n)) kept.push(n);
        return kept.slice(0, Math.max(0, replicas - 1));
      }
    }
  }

  reconcile(liveSegments: () => QueueSegment[], blockFor: (bytes: number) => void): void {
    const want = this.desired();
    let isChanged = false;
    for (const node of [...this.mirrors.keys()]) {
      if (!want.includes(node)) {
        this.mirrors.delete(node);
        isChanged = true;
      }
    }
    for (const node of want) {
      if (this.mirrors.has(node)) continue;
      const seqNext = this.seqNext();
      this.mirrors.set(node, { ackedSeqEnd: seqNext, syncFromSeq: seqNext, isSynced: this.oldestLiveSeq() >= seqNext, isSyncing: false });
      this.host.trace.record("mirror.join", `${this.queue}@${node}`);
      isChanged = true;
    }
    if (isChanged) this.publish();
    if (this.policy?.["ha-sync-mode"] === "automatic") this.startSyncs(liveSegments, blockFor);
  }

  replicate(segment: QueueSegment): void {
    this.broadcast({ op: "publish", segment: { ...segment } });
  }

  remove(seq: number, count: number): void {
    this.broadcast({ op: "remove", seq, count });
  }

  /** gm:broadcast: round the ring of the master and its mirrors, in the order they joined. */
  private broadcast(payload: GmPayload): void {
    if (this.mirrors.size === 0) return;
    const me = this.host.node.name;
    this.gmSeq++;
    this.gm.forward({ kind: "gm", queue: this.queue, group: this.group, origin: me, ring: [me, ...this.mirrors.keys()], gmSeq: this.gmSeq, phase: "msg", payload, ackUpTo: this.ackOwed });
    this.ackOwed = 0;
  }

  /** A broadcast of this master came back round the ring: every member has it, so its acknowledgement goes round. */
  onGmReturn(message: GmMessage): void {
    if (message.group !== this.group || message.phase !== "msg") return;
    this.gm.forget(message.gmSeq);
    this.ackOwed = Math.max(this.ackOwed, message.gmSeq);
    this.lastReturned = message;
    if (this.isAckTimerArmed) return;
    this.isAckTimerArmed = true;
    this.host.node.after(GM_BROADCAST_TIMER_NS, this.onAckTimerBound);
  }

  /** The master stopped: its ring sends nothing more. */
  stop(): void {
    this.isStopped = true;
  }

  /** No broadcast carried the acknowledgement: it goes round alone. */
  private onAckTimer(): void {
    this.isAckTimerArmed = false;
    if (this.isStopped || this.ackOwed === 0 || this.lastReturned === null) return;
    this.gm.forward({ ...this.lastReturned, gmSeq: this.ackOwed, phase: "ack", payload: null, ackUpTo: this.ackOwed });
    this.ackOwed = 0;
  }

  onAck(node: string, seqEnd: number, isSyncReply: boolean): void {
    const state = this.mirrors.get(node);
    if (state === undefined) return;
    state.ackedSeqEnd = Math.max(state.ackedSeqEnd, seqEnd);
    if (isSyncReply && state.isSyncing) {
      state.isSyncing = false;
      state.isSynced = true;
      this.host.trace.record("mirror.synced", `${this.queue}@${node}`);
      this.publish();
    }
  }

  /** The highest seq every mirror has acknowledged up to (no mirrors: no limit). */
  ackedSeqEnd(): number {
    let low = Number.MAX_SAFE_INTEGER;
    for (const state of this.mirrors.values()) low = Math.min(low, state.ackedSeqEnd);
    return low;
  }

  /** ha-sync-mode manual: a mirror becomes synchronised once nothing older than its join is left. */
  checkManualSync(): void {
    let isChanged = false;
    const oldest = this.oldestLiveSeq();
    for (const [node, state] of this.mirrors) {
      if (state.isSynced || state.isSyncing || oldest < state.syncFromSeq) continue;
      state.isSynced = true;
      this.host.trace.record("mirror.synced", `${this.queue}@${node}`);
      isChanged = true;
    }
    if (isChanged) this.publish();
  }

  private startSyncs(liveSegments: () => QueueSegment[], blockFor: (bytes: number) => void): void {
    for (const [node, state] of this.mirrors) {
      if (state.isSynced || state.isSyncing) continue;
      const older = liveSegments().filter((s) => s.seq < state.syncFromSeq);
      if (older.length === 0) {
        state.isSynced = true;
        this.publish();
        continue;
      }
      state.isSyncing = true;
      const bytes = older.reduce((sum, s) => sum + segmentBytes(s), 0);
      // Synchronisation blocks the queue process while it copies (the docs' warning): charge its CPU.
      blockFor(bytes);
      this.host.trace.record("mirror.sync-start", `${this.queue}@${node}`, bytes);
      const epoch = this.host.record(this.queue).epoch;
      const batches = syncBatches(older, this.host.config.haSyncBatchSize);
      batches.forEach((batch, k) => {
        const batchBytes = batch.reduce((sum, s) => sum + segmentBytes(s), 0);
        this.host.send(node, { kind: "mirror-sync", queue: this.queue, epoch, segments: batch, bytes: batchBytes, isLast: k === batches.length - 1 });
      });
    }
  }

  /** A new version of the queue's record with this master's view of its mirrors. */
  publish(): void {
    const record = copyRecord(this.host.record(this.queue));
    record.epoch++;
    record.master = this.host.node.name;
    record.mirrors = this.names;
    record.synced = this.names.filter((n) => this.mirrors.get(n)!.isSynced);
    const listed = (nodes: readonly string[]): string => (nodes.length === 0 ? "none" : nodes.join(","));
    this.host.clusterLog.record("in-sync", this.queue, record.master, record.epoch, `mirrors ${listed(record.mirrors)}, synchronised ${listed(record.synced)}`);
    this.host.publishRecord(record);
  }
}

/** Splits messages into batches of at most `batchSize` messages (`ha-sync-batch-size`), splitting segments where needed. */
export function syncBatches(segments: readonly QueueSegment[], batchSize: number): QueueSegment[][] {
  const batches: QueueSegment[][] = [];
  let current: QueueSegment[] = [];
  let room = batchSize;
  for (const whole of segments) {
    let rest: QueueSegment = { ...whole };
    while (rest.count > 0) {
      const take = Math.min(room, rest.count);
      current.push({ ...rest, count: take });
      rest = { ...rest, seq: rest.seq + take, idFirst: rest.idFirst + take, count: rest.count - take };
      room -= take;
      if (room === 0) {
        batches.push(current);
        current = [];
        room = batchSize;
      }
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
