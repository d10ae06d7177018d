/**
 * An ActiveMQ Classic broker process (BrokerService with KahaDB; tag
 * activemq-5.18.7, docs/research/activemq-facts.md §1–§4):
 *
 * - its store is KahaDB on its own disk, or on a shared store, where it is
 *   master only once its SharedFileLocker holds the store's lock, or the
 *   JDBC adapter's database under a lease (broker-mastership.ts); as a slave
 *   it accepts no client (its connectors start after the lock and the
 *   store's recovery);
 * - a producer's persistent message is stored (a sync store when the
 *   producer waits) and dispatched at once to consumers
 *   (concurrentStoreAndDispatchQueues); the producer's Response comes when
 *   the store has it; a store that fails stops the broker and suppresses the
 *   reply (DefaultIOExceptionHandler);
 * - a message whose producer sequence the broker has already stored is a
 *   duplicate from a client's resend after a failover: dropped, answered as
 *   if stored (the producer audit, rebuilt from the store at recovery);
 * - a consumer's ack removes the message (an async store of the removal); a
 *   consumer whose connection drops gives back what it held unacked;
 * - a master whose keepAlive finds the lock lost stops and starts again as
 *   a slave waiting for the lock (restartAllowed);
 * - each connection has the broker's InactivityMonitor: one silent for
 *   maxInactivityDuration (30 s; clients send a KeepAliveInfo every 10 s when
 *   idle) is closed, so a client whose machine died gives back what it held.
 *
 * - its CPU (cpu-costs.ts): each connection's transport thread handles its
 *   commands one at a time, and a sync send holds it until the store
 *   answers; a persistent send while the queue's cursor caches goes to the
 *   store task thread (store-task-executor.ts: one per broker, one fsync
 *   per sync send, cancelled by an early ack), otherwise the transport
 *   thread stores it itself (its journal writes join other threads' in a
 *   batch: group commit); each queue dispatches on its own thread.
 *
 * Every thread runs on the machine's cores (cluster cores, 8 by default):
 * with more runnable work than cores, work waits for one.
 *
 * Where the model differs: the producer audit keeps each producer's highest
 * stored sequence (the real one keeps a window of 2048 ids for up to 64
 * producers); non-persistent messages are not stored at all (the real
 * broker may spool them to temp storage under memory pressure).
 */
import type { Endpoint } from "../../world/connection.js";
import { CpuCores } from "../../world/cpu-cores.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { SerialThread } from "../../world/serial-thread.js";
import type { World } from "../../world/world.js";
import { ActiveMqQueue } from "./activemq-queue.js";
import { ClientConnection, ConsumerTarget, type OpenTransaction } from "./broker-connection.js";
import { BrokerMastership, type BrokerStoreSpec } from "./broker-mastership.js";
import { BrokerCpuAccount, type ActiveMqCpuUse } from "./broker-cpu.js";
import { CORES_DEFAULT, DEFAULT_ACTIVEMQ_CPU_COSTS, transportCostNs, type ActiveMqCpuCosts } from "./cpu-costs.js";
import type { StorageResult } from "./journal-storage.js";
import type { KahaDbJournalOptions } from "./kahadb-journal.js";
import type { JdbcStore } from "./jdbc-store.js";
import { KahaDbStore, type StoredMessage, type TransactionAdd, type TransactionRemove } from "./kahadb-store.js";
import { messageIdOf, OPENWIRE_PORT, openWireBytesOf, type OpenWireCommand } from "./openwire.js";
import type { SharedFileLockerOptions } from "./shared-file-locker.js";
import { StoreTaskExecutor, type StoreTask, type StoreTaskOutcome } from "./store-task-executor.js";
import { InactivityMonitor } from "./inactivity-monitor.js";
import { ProducerAudit } from "./producer-audit.js";

/** SharedDeadLetterStrategy's queue. */
export const DEAD_LETTER_QUEUE = "ActiveMQ.DLQ";

/** What the broker needs of its store: KahaDB's, or the JDBC adapter's. */
type BrokerStore = Pick<KahaDbStore, "isOpen" | "messages" | "addMessage" | "removeMessage" | "commitTransaction">;

export interface ActiveMqBrokerSpec {
  store: BrokerStoreSpec;
  kahaDb: KahaDbJournalOptions;
  locker: SharedFileLockerOptions;
  queues: readonly string[];
  /** The cluster's first boot: how long after the first broker this one starts (operators start the master first). */
  firstBootDelayNs?: number;
  /** KahaDB's concurrentStoreAndDispatchQueues (default true). */
  concurrentStoreAndDispatchQueues?: boolean;
  cpuCosts?: ActiveMqCpuCosts;
  /** The machine's cores, which every broker thread shares (default CORES_DEFAULT). */
  cores?: number;
}

/** A sync send waiting for its store: where its Response goes, and the transport thread it holds. */
interface StoreWaiter {
  connection: ClientConnection;
  commandId: number;
}

/** A persistent send on the concurrent path: the store task, and whom to answer. */
interface SendTask extends StoreTask {
  readonly waiter: StoreWaiter | null;
}

export class ActiveMqBroker implements NodeSoftware {
  private node: WorldNode | null = null;
  store: BrokerStore | null = null;
  private mastership: BrokerMastership | null = null;
  private executor: StoreTaskExecutor | null = null;
  /** This process's machine cores (a new process, a new set: what the dead one was running is gone). */
  private cores = new CpuCores(1);
  private readonly queues = new Map<string, ActiveMqQueue>();
  /** Each queue's dispatch thread. */
  private readonly dispatchThreads = new Map<string, SerialThread>();
  /** Every client connection taken (a stop closes them all). */
  private readonly connections = new Map<Endpoint, ClientConnection>();
  /** The producer audit: each producer's highest stored sequence (producer-audit.ts). */
  private readonly audit = new ProducerAudit();
  private isAccepting = false;
  /** Closes connections silent past maxInactivityDuration (inactivity-monitor.ts). */
  private readonly inactivity = new InactivityMonitor({
    isAccepting: () => this.isAccepting,
    connections: () => this.connections.values(),
    onSilent: (connection) => this.onConnectionGone(connection.endpoint),
    mark: (name) => this.world.kernel.marks.hit(name),
  });
  /** CPU of threads that are gone (closed connections, a lost store), kept for the totals. */
  private readonly cpu = new BrokerCpuAccount();
  private readonly costs: ActiveMqCpuCosts;
  private readonly onStoredBound = (result: StorageResult, waiter: StoreWaiter): void => this.onStored(result, waiter);
  private readonly onCommittedBound = (result: StorageResult, waiter: StoreWaiter & { adds: readonly TransactionAdd[] }): void => this.onCommitted(result, waiter);
  private readonly onTaskSettledBound = (outcome: StoreTaskOutcome, task: StoreTask): void => this.onTaskSettled(outcome, task as SendTask);
  private readonly onCommandBound = (connection: ClientConnection, command: OpenWireCommand): void => this.onCommand(connection, command);

  constructor(
    private readonly world: World,
    readonly spec: ActiveMqBrokerSpec,
  ) {
    this.costs = spec.cpuCosts ?? DEFAULT_ACTIVEMQ_CPU_COSTS;
  }

  /** It holds the store (shared: the lock) and takes clients. */
  get isMaster(): boolean {
    return this.isAccepting && this.node !== null && this.node.isProcessAlive;
  }

  queue(name: string): ActiveMqQueue | undefined {
    return this.queues.get(name);
  }

  /** What the broker's threads have spent since the cluster was built (the current process's and its predecessors'). */
  cpuUse(): ActiveMqCpuUse {
    const transport = [...this.connections.values()].map((connection) => connection.thread);
    return this.cpu.use({ transport, transportCount: transport.length, executor: this.executor, dispatch: this.dispatchThreads.values(), dispatchCount: this.dispatchThreads.size, cores: this.cores.count });
  }

  start(node: WorldNode): void {
    this.node = node;
    this.isAccepting = false;
    this.inactivity.reset(node);
    this.cores = new CpuCores(this.spec.cores ?? CORES_DEFAULT);
    // A new process: the last one's connections and threads died with it.
    for (const connection of this.connections.values()) this.retireConnection(connection);
    this.connections.clear();
    this.retireStore();
    const delayNs = this.spec.firstBootDelayNs ?? 0;
    if (delayNs > 0 && node.incarnation === 1 && node.now === 0) {
      node.after(delayNs, () => this.startProcess(node));
      return;
    }
    this.startProcess(node);
  }

  private startProcess(node: WorldNode): void {
    this.mastership = new BrokerMastership(this.world, node, this.spec.store, this.spec.kahaDb, this.spec.locker, {
      onStoreRecovered: (store) => this.onRecovered(store),
      onLockLost: () => this.giveUpMastership(),
    });
    this.mastership.start();
  }

  /** The store is recovered: the queues hold what it holds, the audit knows every stored sequence, the connectors start. */
  private onRecovered(store: KahaDbStore | JdbcStore): void {
    this.store = store;
    this.queues.clear();
    this.audit.clear();
    // Concurrent store-and-dispatch is KahaDB's; the JDBC adapter stores on the sender's thread.
    this.executor = store instanceof KahaDbStore ? new StoreTaskExecutor(this.node!, store, this.costs, this.cores) : null;
    // The dead-letter queue (SharedDeadLetterStrategy) is one more queue, with no consumer here.
    for (const name of [...this.spec.queues, DEAD_LETTER_QUEUE]) {
      const queue = new ActiveMqQueue(name);
      const messages = store.messages(name);
      for (const message of messages) this.audit.noteStored(message);
      this.dispatchThreads.set(name, new SerialThread(this.node!, this.cores));
      queue.load(messages);
      this.queues.set(name, queue);
    }
    this.isAccepting = true;
    this.world.kernel.marks.hit("activemq.broker.master");
    this.noteMastership("leader", "took the store's lock: master");
    this.inactivity.arm();
    this.world.net.listen(this.node!, OPENWIRE_PORT, {
      accept: (endpoint) => {
        const connection = new ClientConnection(endpoint, this.node!, this.node!.now, this.onCommandBound, this.cores);
        this.connections.set(endpoint, connection);
        return {
          onData: (_, payload) => {
            connection.heardNs = this.node!.now;
            const command = payload as OpenWireCommand;
            connection.thread.run(transportCostNs(this.costs, command), connection.onCommandBound, command);
          },
          onClose: () => this.onConnectionGone(endpoint),
        };
      },
    });
  }

  private onCommand(connection: ClientConnection, command: OpenWireCommand): void {
    if (!this.isAccepting || !this.connections.has(connection.endpoint)) return;
    switch (command.kind) {
      case "MESSAGE":
        return this.onMessage(connection, command);
      case "CONSUMER_INFO":
        return this.onConsumer(connection, command);
      case "KEEP_ALIVE":
        return void connection.endpoint.send(command, openWireBytesOf(command));
      case "ACK":
        return this.onAck(connection, command);
      case "COMMIT":
        return this.onCommit(connection, command);
      default:
        return;
    }
  }

  private onMessage(connection: ClientConnection, command: Extract<OpenWireCommand, { kind: "MESSAGE" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return this.respond(connection.endpoint, command.commandId, "InvalidDestinationException");
    if (this.audit.isDuplicate(command.producerId, command.sequence)) {
      // A resend after a failover of what the store already has: dropped, answered as stored.
      this.world.kernel.marks.hit("activemq.broker.duplicate-dropped");
      if (command.responseRequired) this.respond(connection.endpoint, command.commandId, "");
      return;
    }
    const message: StoredMessage = { messageId: messageIdOf(command.producerId, command.sequence), producerId: command.producerId, sequence: command.sequence, id: command.id, bodyBytes: command.bodyBytes };
    if (command.transactionId !== undefined) return this.holdInTransaction(connection, command.transactionId, command.destination, message);
    this.audit.noteStored(message);
    const isConcurrent = this.executor !== null && (this.spec.concurrentStoreAndDispatchQueues ?? true) && queue.isCacheEnabled;
    queue.add(message);
    if (!command.persistent) {
      if (command.responseRequired) this.respond(connection.endpoint, command.commandId, "");
      return;
    }
    const waiter: StoreWaiter | null = command.responseRequired ? { connection, commandId: command.commandId } : null;
    // A sync send holds its transport thread until the store answers (Queue.doMessageSend waits on the store's future).
    if (waiter !== null) connection.thread.block();
    if (isConcurrent) return this.submitStoreTask(connection, command.destination, message, waiter);
    this.storeOnTransportThread(connection, command.destination, message, waiter);
  }

  /** The concurrent path: the store task thread journals it (one fsync per sync send), unless an ack cancels it first. */
  private submitStoreTask(connection: ClientConnection, destination: string, message: StoredMessage, waiter: StoreWaiter | null): void {
    const isSync = waiter !== null && this.spec.kahaDb.journalDiskSyncStrategy === "ALWAYS";
    const task: SendTask = { destination, message, isSync, onSettled: this.onTaskSettledBound, state: "queued", isRemovedAfterAdd: false, waiter };
    const executor = this.executor!;
    if (executor.hasRoom) return executor.submit(task);
    // globalQueueSemaphore: the sender waits for a task to finish.
    if (waiter === null) connection.thread.block();
    executor.waitForRoom(() => {
      if (executor !== this.executor) return;
      executor.submit(task);
      if (waiter === null) connection.thread.release();
    });
  }

  private onTaskSettled(outcome: StoreTaskOutcome, task: SendTask): void {
    if (outcome === "cancelled") {
      this.world.kernel.marks.hit("activemq.store.task-cancelled");
      if (task.waiter !== null) this.onStored("ok", task.waiter);
      return;
    }
    if (task.waiter !== null) return this.onStored(outcome, task.waiter);
    if (outcome !== "ok") this.onStored(outcome, null);
  }

  /**
   * The direct path (the cursor does not cache, or concurrent store is
   * off): the transport thread marshals and journals it; its sync store
   * waits for its batch's fsync, and batches take every thread's writes
   * (group commit).
   */
  private storeOnTransportThread(connection: ClientConnection, destination: string, message: StoredMessage, waiter: StoreWaiter | null): void {
    const store = this.store!;
    // A JDBC INSERT is its own transaction: a sync send waits for its commit whatever KahaDB would do.
    const isSync = waiter !== null && (this.spec.store.kind === "jdbc" || this.spec.kahaDb.journalDiskSyncStrategy === "ALWAYS");
    const costNs = this.costs.storeMessageNs + this.costs.storeByteNs * message.bodyBytes;
    if (waiter === null) connection.thread.block();
    connection.thread.runBlocked(
      costNs,
      () => {
        if (store !== this.store) return;
        if (isSync) return store.addMessage(destination, message, true, this.onStoredBound, waiter!);
        store.addMessage(destination, message, false, null, null);
        if (waiter !== null) this.onStored("ok", waiter);
        else if (this.connections.get(connection.endpoint) === connection) connection.thread.release();
      },
      null,
    );
  }

  /** A transacted send: held until its transaction commits (a direct store, never the concurrent path). */
  private holdInTransaction(connection: ClientConnection, transactionId: string, destination: string, message: StoredMessage): void {
    connection.transactionOf(transactionId).adds.push({ destination, message });
  }

  /**
   * commit(): the transaction's acks take their messages off the queue, and
   * its sends and the acks' removes are stored together (the commit record
   * synced under ALWAYS), then the sends are dispatched; the Response waits
   * for the store.
   */
  private onCommit(connection: ClientConnection, command: Extract<OpenWireCommand, { kind: "COMMIT" }>): void {
    const transaction = connection.transactions.get(command.transactionId);
    connection.transactions.delete(command.transactionId);
    if (transaction === undefined || (transaction.adds.length === 0 && transaction.acks.length === 0)) return this.respond(connection.endpoint, command.commandId, "");
    const { adds } = transaction;
    const removes = this.takeAcked(transaction.acks);
    const store = this.store!;
    const costNs = adds.reduce((sum, add) => sum + this.costs.storeMessageNs + this.costs.storeByteNs * add.message.bodyBytes, 0);
    connection.thread.block();
    connection.thread.runBlocked(
      costNs,
      () => {
        if (store !== this.store) return;
        for (const add of adds) this.audit.noteStored(add.message);
        store.commitTransaction(adds, removes, this.onCommittedBound, { connection, commandId: command.commandId, adds });
      },
      null,
    );
  }

  /** A transaction's acks: their messages leave their queues; the removes the store must make (an add still waiting for the store task is cancelled instead). */
  private takeAcked(acks: OpenTransaction["acks"]): TransactionRemove[] {
    const removes: TransactionRemove[] = [];
    for (const ack of acks) {
      if (this.queues.get(ack.destination)?.ack(ack.consumerId, ack.messageId) == null) continue;
      if (this.executor === null || !this.executor.acked(ack.messageId)) removes.push({ destination: ack.destination, messageId: ack.messageId });
    }
    return removes;
  }

  private onCommitted(result: StorageResult, waiter: StoreWaiter & { adds: readonly TransactionAdd[] }): void {
    if (result === "ok") for (const add of waiter.adds) this.queues.get(add.destination)?.add(add.message);
    this.onStored(result, waiter);
  }

  private onStored(result: StorageResult, waiter: StoreWaiter | null): void {
    if (result === "ok") {
      if (waiter === null) return;
      this.respond(waiter.connection.endpoint, waiter.commandId, "");
      if (this.connections.get(waiter.connection.endpoint) === waiter.connection) waiter.connection.thread.release();
      return;
    }
    if (result === "sql-error") {
      // ignoreSQLExceptions: the broker goes on; the send fails with the exception (an ExceptionResponse).
      this.world.kernel.marks.hit("activemq.broker.sql-exception");
      if (waiter === null) return;
      this.respond(waiter.connection.endpoint, waiter.commandId, "SQLException");
      if (this.connections.get(waiter.connection.endpoint) === waiter.connection) waiter.connection.thread.release();
      return;
    }
    // DefaultIOExceptionHandler: the broker stops, and the client sees no reply (SuppressReplyException).
    this.world.kernel.marks.hit("activemq.broker.store-failed");
    if (!this.isAccepting) return;
    this.noteMastership("step-down", "its store failed (DefaultIOExceptionHandler): it stops");
    this.stopAccepting();
  }

  /** Every queue's master changed (the pair has one master for all its destinations): the run's timeline shows it per queue. */
  private noteMastership(kind: "leader" | "step-down", detail: string): void {
    for (const queue of this.spec.queues) this.world.clusterLog.record(kind, queue, this.node!.name, -1, detail);
  }

  private onAck(connection: ClientConnection, command: Extract<OpenWireCommand, { kind: "ACK" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return;
    if (command.transactionId !== undefined) {
      // A transacted consumer's ack: its messages stay dispatched to it until the transaction commits (or go back with the connection).
      const { acks } = connection.transactionOf(command.transactionId);
      for (const messageId of command.messageIds) acks.push({ destination: command.destination, consumerId: command.consumerId, messageId });
      return;
    }
    for (const messageId of command.messageIds) {
      const message = queue.ack(command.consumerId, messageId);
      if (message === null) continue;
      // removeAsyncMessage: an add still waiting for the store task is cancelled, and nothing is journaled.
      if (this.executor === null || !this.executor.acked(messageId)) this.store!.removeMessage(command.destination, messageId);
      if (command.poison === true) this.deadLetter(message);
    }
  }

  /** A poison ack: the message goes to ActiveMQ.DLQ, stored there (a persistent message; processNonPersistent is false, but the model's are all kept). */
  private deadLetter(message: StoredMessage): void {
    this.world.kernel.marks.hit("activemq.broker.dead-lettered");
    this.store!.addMessage(DEAD_LETTER_QUEUE, message, false, null, null);
    this.queues.get(DEAD_LETTER_QUEUE)!.add(message);
  }

  private onConsumer(connection: ClientConnection, command: Extract<OpenWireCommand, { kind: "CONSUMER_INFO" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return this.respond(connection.endpoint, command.commandId, "InvalidDestinationException");
    const target = new ConsumerTarget(command.consumerId, connection.endpoint, command.destination, this.dispatchThreads.get(command.destination)!, this.costs);
    connection.consumers.push(target);
    this.respond(connection.endpoint, command.commandId, "");
    queue.subscribe(target, command.prefetch);
  }

  private onConnectionGone(endpoint: Endpoint): void {
    const connection = this.connections.get(endpoint);
    if (connection === undefined) return;
    this.connections.delete(endpoint);
    this.retireConnection(connection);
    for (const target of connection.consumers) this.queues.get(target.destination)?.unsubscribe(target.consumerId, target);
  }

  private retireConnection(connection: ClientConnection): void {
    this.cpu.retireTransport(connection.thread);
  }

  /** The store's threads stop with it (a lost lock, a failed store, a crash); their CPU is kept for the totals. */
  private retireStore(): void {
    this.executor?.stop();
    this.cpu.retireStore(this.executor, this.dispatchThreads.values());
    this.executor = null;
    this.dispatchThreads.clear();
  }

  private respond(endpoint: Endpoint, correlationId: number, error: string): void {
    const command: OpenWireCommand = { kind: "RESPONSE", correlationId, error };
    endpoint.send(command, openWireBytesOf(command));
  }

  /** keepAlive found the lock another's: stop being master, and wait for the lock again as a slave (restartAllowed). */
  private giveUpMastership(): void {
    this.world.kernel.marks.hit("activemq.broker.lock-lost");
    this.noteMastership("step-down", "found its lock taken: no longer master");
    this.stopAccepting();
    this.mastership!.waitAgain();
  }

  private stopAccepting(): void {
    this.isAccepting = false;
    this.mastership!.dropStore();
    this.store = null;
    this.retireStore();
    this.world.net.unlisten(this.node!, OPENWIRE_PORT);
    for (const connection of [...this.connections.values()]) {
      this.onConnectionGone(connection.endpoint);
      connection.endpoint.close();
    }
  }
}
