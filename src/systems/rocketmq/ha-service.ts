/**
 * A master's side of master/slave replication (DefaultHAService,
 * DefaultHAConnection, GroupTransferService in store/.../ha/):
 *
 * - It listens on the HA port. Each slave connection has a reader (the
 *   slave's offset reports: its first says where to start, every one says
 *   how far the slave has the log) and a writer that pushes the log from
 *   there in frames of up to haTransferBatchSize, and a heartbeat frame
 *   every haSendHeartbeatInterval when there is nothing to send. A slave
 *   that asks from 0 gets the log from the start of the master's last
 *   mapped file, not its whole history (WriteSocketService). A writer that
 *   has sent everything sleeps up to 100 ms (allWaitForRunning(100)); only a
 *   SYNC_MASTER's put wakes it early (CommitLog.handleHA's wakeupAll), so an
 *   ASYNC_MASTER's slave trails by up to 100 ms even when idle: that is the
 *   window a master's loss takes acknowledged messages from.
 * - A connection that reads nothing for haHousekeepingInterval is closed.
 * - A SYNC_MASTER's put waits (GroupTransferService) as its version says
 *   (config.ts, RocketVersion): 4.9 until push2SlaveMaxOffset (the
 *   furthest any slave has acknowledged) covers the put, or
 *   FLUSH_SLAVE_TIMEOUT after syncFlushTimeout, and SLAVE_NOT_AVAILABLE at
 *   once with no slave connected or one haMaxGapNotInSync behind
 *   (isSlaveOK); 5.x until inSyncReplicas − 1 slaves have acknowledged it,
 *   or FLUSH_SLAVE_TIMEOUT after slaveTimeout, and not at all when
 *   inSyncReplicas ≤ 1. Either way the message stays stored on the master.
 */
import { RingQueue } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import { DeadlineTimer } from "../../world/deadline-timer.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { CommitLogRecord } from "./commit-log.js";
import type { RocketBrokerConfig } from "./config.js";
import { HA_PORT, haBytesOf, type HaData, type HaMessage } from "./ha-protocol.js";
import type { MessageStore, ReplicaStatus, ReplicaWait } from "./message-store.js";

const NS_PER_MS = 1_000_000;
/** A writer stops while this much of what it sent is unacknowledged (a socket send buffer), and looks again after WRITE_RETRY_NS. */
const SEND_BUFFER_BYTES = 4 * 32 * 1024;
const WRITE_RETRY_NS = NS_PER_MS;
/** A caught-up writer's sleep (DefaultHAConnection.WriteSocketService: allWaitForRunning(100)). */
const WRITER_SLEEP_NS = 100 * NS_PER_MS;

/** One slave's connection. */
class HaConnection {
  /** Where the writer continues (-1 until the slave's first report). */
  nextTransferFromWhere = -1;
  slaveAckOffset = -1;
  lastReadNs: number;
  lastWriteNs: number;
  isClosed = false;
  isWriteArmed = false;
  isAsleep = false;
  /** The writer's wake-ups, bound once per connection: no closure per sleep or retry. */
  readonly onWakeBound: () => void;
  readonly onRetryBound: () => void;

  constructor(
    readonly endpoint: Endpoint,
    transfer: (connection: HaConnection) => void,
  ) {
    this.lastReadNs = endpoint.node.now;
    this.lastWriteNs = endpoint.node.now;
    this.onWakeBound = () => {
      this.isAsleep = false;
      transfer(this);
    };
    this.onRetryBound = () => {
      this.isWriteArmed = false;
      transfer(this);
    };
  }
}

interface TransferRequest {
  nextOffset: number;
  deadlineNs: number;
  done: (status: ReplicaStatus, arg: unknown) => void;
  arg: unknown;
}

export class HaService implements ReplicaWait {
  private readonly connections: HaConnection[] = [];
  private push2SlaveMaxOffsetNow = 0;
  private readonly requests = new RingQueue<TransferRequest>(16);
  private readonly deadlines: DeadlineTimer;
  private readonly onHousekeepingBound = (): void => this.onHousekeeping();
  private readonly transferBound = (connection: HaConnection): void => this.transfer(connection);

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    private readonly store: MessageStore,
    private readonly config: RocketBrokerConfig,
  ) {
    this.deadlines = new DeadlineTimer(node, () => this.onDeadline());
  }

  /** The furthest offset a slave has acknowledged. */
  get push2SlaveMaxOffset(): number {
    return this.push2SlaveMaxOffsetNow;
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  start(): void {
    this.world.net.listen(this.node, HA_PORT, {
      accept: (endpoint) => {
        const connection = new HaConnection(endpoint, this.transferBound);
        this.connections.push(connection);
        return { onData: (_, payload) => this.onReport(connection, payload as HaMessage), onClose: () => this.drop(connection) };
      },
    });
    this.node.after(this.config.haSendHeartbeatInterval * NS_PER_MS, this.onHousekeepingBound);
  }

  /** A SYNC_MASTER's put wakes every writer (wakeupAll); an ASYNC_MASTER's writers find the put when they wake. */
  onSyncPut(): void {
    for (const connection of this.connections) this.transfer(connection);
  }

  /** isSlaveOK: a slave is connected and within haMaxGapNotInSync of masterPutWhere. */
  isSlaveOk(masterPutWhere: number): boolean {
    return this.connections.length > 0 && masterPutWhere - this.push2SlaveMaxOffsetNow < this.config.haMaxGapNotInSync;
  }

  /** Slaves a put waits for (0: none), by the version's rule. */
  private get acksNeeded(): number {
    return this.config.version === "4.9" ? 1 : Math.max(0, this.config.inSyncReplicas - 1);
  }

  /** Slaves that have acknowledged the log up to `offset`. */
  private ackedBy(offset: number): number {
    let count = 0;
    for (const connection of this.connections) if (connection.slaveAckOffset >= offset) count++;
    return count;
  }

  request<A>(nextOffset: number, done: (status: ReplicaStatus, arg: A) => void, arg: A): void {
    const is49 = this.config.version === "4.9";
    if (is49 && !this.isSlaveOk(nextOffset)) {
      this.world.kernel.marks.hit("rocketmq.ha.slave-not-available");
      done("SLAVE_NOT_AVAILABLE", arg);
      return;
    }
    if (this.acksNeeded === 0 || this.isCovered(nextOffset)) {
      done("PUT_OK", arg);
      return;
    }
    const deadlineNs = this.node.now + (is49 ? this.config.syncFlushTimeout : this.config.slaveTimeout) * NS_PER_MS;
    this.requests.push({ nextOffset, deadlineNs, done: done as TransferRequest["done"], arg });
    this.deadlines.armBy(deadlineNs);
  }

  private onReport(connection: HaConnection, message: HaMessage): void {
    if (message.kind !== "ha-report" || connection.isClosed) return;
    connection.lastReadNs = this.node.now;
    if (connection.nextTransferFromWhere === -1) connection.nextTransferFromWhere = this.startOffset(message.maxOffset);
    connection.slaveAckOffset = message.maxOffset;
    if (message.maxOffset > this.push2SlaveMaxOffsetNow) this.push2SlaveMaxOffsetNow = message.maxOffset;
    if (!this.requests.isEmpty) this.answerCovered();
    this.transfer(connection);
  }

  /** Where a slave's first report makes the writer start: its offset, or for an empty slave the master's last mapped file. */
  private startOffset(slaveOffset: number): number {
    if (slaveOffset !== 0) return slaveOffset;
    const masterOffset = this.store.commitLog.maxOffset;
    return masterOffset - (masterOffset % this.config.mappedFileSizeCommitLog);
  }

  /** Sends the slave what it lacks, a batch per frame, while the socket takes it. */
  private transfer(connection: HaConnection): void {
    if (connection.isClosed || connection.nextTransferFromWhere === -1) return;
    const log = this.store.commitLog;
    while (connection.nextTransferFromWhere < log.maxOffset) {
      if (connection.endpoint.bufferedBytes > SEND_BUFFER_BYTES) {
        this.armWriteRetry(connection);
        return;
      }
      const frame = this.frameFrom(connection.nextTransferFromWhere);
      if (frame.records.length === 0) break;
      const last = frame.records[frame.records.length - 1]!;
      connection.nextTransferFromWhere = last.physicalOffset + last.sizeBytes;
      this.send(connection, frame);
    }
    this.sleep(connection);
  }

  /** Caught up: the writer looks again in 100 ms. */
  private sleep(connection: HaConnection): void {
    if (connection.isAsleep) return;
    connection.isAsleep = true;
    this.node.after(WRITER_SLEEP_NS, connection.onWakeBound);
  }

  /** The puts from `offset` that start within one batch (at least one). */
  private frameFrom(offset: number): HaData {
    const records = this.store.commitLog.records;
    const batch: CommitLogRecord[] = [];
    let bytes = 0;
    for (let index = this.store.commitLog.indexAt(offset); index < records.length; index++) {
      const record = records[index]!;
      if (batch.length > 0 && bytes + record.sizeBytes > this.config.haTransferBatchSize) break;
      batch.push(record);
      bytes += record.sizeBytes;
    }
    return { kind: "ha-data", offset, records: batch };
  }

  private send(connection: HaConnection, frame: HaData): void {
    connection.lastWriteNs = this.node.now;
    connection.endpoint.send(frame, haBytesOf(frame));
  }

  private armWriteRetry(connection: HaConnection): void {
    if (connection.isWriteArmed) return;
    connection.isWriteArmed = true;
    this.node.after(WRITE_RETRY_NS, connection.onRetryBound);
  }

  /** Heartbeats to idle slaves, and closing connections silent for haHousekeepingInterval. */
  private onHousekeeping(): void {
    const now = this.node.now;
    for (const connection of [...this.connections]) {
      if (now - connection.lastReadNs > this.config.haHousekeepingInterval * NS_PER_MS) {
        this.world.kernel.marks.hit("rocketmq.ha.slave-expired");
        connection.endpoint.close();
        this.drop(connection);
        continue;
      }
      const isIdle = now - connection.lastWriteNs >= this.config.haSendHeartbeatInterval * NS_PER_MS;
      if (isIdle && connection.nextTransferFromWhere !== -1) this.send(connection, { kind: "ha-data", offset: connection.nextTransferFromWhere, records: [] });
    }
    this.node.after(this.config.haSendHeartbeatInterval * NS_PER_MS, this.onHousekeepingBound);
  }

  private drop(connection: HaConnection): void {
    if (connection.isClosed) return;
    connection.isClosed = true;
    const index = this.connections.indexOf(connection);
    if (index >= 0) this.connections.splice(index, 1);
  }

  /** 4.9: push2SlaveMaxOffset covers it; 5.x: enough slaves have acknowledged it. */
  private isCovered(nextOffset: number): boolean {
    return this.config.version === "4.9" ? nextOffset <= this.push2SlaveMaxOffsetNow : this.ackedBy(nextOffset) >= this.acksNeeded;
  }

  private answerCovered(): void {
    let left = this.requests.length;
    while (left-- > 0) {
      const request = this.requests.shift()!;
      if (this.isCovered(request.nextOffset)) request.done("PUT_OK", request.arg);
      else this.requests.push(request);
    }
    if (this.requests.isEmpty) this.deadlines.disarm();
  }

  private onDeadline(): void {
    const now = this.node.now;
    while (this.requests.length > 0 && this.requests.peek()!.deadlineNs <= now) {
      const request = this.requests.shift()!;
      this.world.kernel.marks.hit("rocketmq.ha.flush-slave-timeout");
      request.done("FLUSH_SLAVE_TIMEOUT", request.arg);
    }
    const next = this.requests.peek();
    if (next !== undefined) this.deadlines.armBy(next.deadlineNs);
  }
}
