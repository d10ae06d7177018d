/**
 * An ActiveMQ Classic broker process (BrokerService with KahaDB; tag
 * activemq-5.18.7, docs/research/activemq-facts.md §1–§4):
 *
 * - its store is KahaDB on its own disk, or on a shared store, where it is
 *   master only once its SharedFileLocker holds the store's lock; as a slave
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
 * Where the model differs: the producer audit keeps each producer's highest
 * stored sequence (the real one keeps a window of 2048 ids for up to 64
 * producers); non-persistent messages are not stored at all (the real
 * broker may spool them to temp storage under memory pressure).
 */
import type { Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { SharedStoreClient } from "../../world/shared-store-client.js";
import type { LockRecovery } from "../../world/shared-store-protocol.js";
import type { World } from "../../world/world.js";
import { ActiveMqQueue, type DispatchTarget, type QueuedMessage } from "./activemq-queue.js";
import { LocalJournalStorage, SharedJournalStorage, type JournalStorage, type StorageResult } from "./journal-storage.js";
import type { KahaDbJournalOptions } from "./kahadb-journal.js";
import { KahaDbStore, type StoredMessage } from "./kahadb-store.js";
import { messageIdOf, OPENWIRE_PORT, openWireBytesOf, type OpenWireCommand } from "./openwire.js";
import { SharedFileLocker, type SharedFileLockerOptions } from "./shared-file-locker.js";

const NS_PER_SECOND = 1_000_000_000;
/** InactivityMonitor: maxInactivityDuration 30 s, read side checked every 10 s (activemq-facts.md §6). */
const MAX_INACTIVITY_NS = 30 * NS_PER_SECOND;
const INACTIVITY_CHECK_NS = 10 * NS_PER_SECOND;

export type BrokerStoreSpec = { kind: "local" } | { kind: "shared"; server: string; lockRecovery: LockRecovery; leaseNs?: number };

export interface ActiveMqBrokerSpec {
  store: BrokerStoreSpec;
  kahaDb: KahaDbJournalOptions;
  locker: SharedFileLockerOptions;
  queues: readonly string[];
  /** The cluster's first boot: how long after the first broker this one starts (operators start the master first). */
  firstBootDelayNs?: number;
}

/** A sync send waiting for its store: where its Response goes. */
interface StoreWaiter {
  endpoint: Endpoint;
  commandId: number;
}

/** A consumer's end of the queue: its dispatches go down its connection. */
class ConsumerTarget implements DispatchTarget {
  constructor(
    readonly consumerId: string,
    readonly endpoint: Endpoint,
    readonly destination: string,
  ) {}

  dispatch(queued: QueuedMessage): void {
    const { message } = queued;
    const command: OpenWireCommand = { kind: "DISPATCH", consumerId: this.consumerId, destination: this.destination, messageId: message.messageId, id: message.id, bodyBytes: message.bodyBytes, redeliveryCounter: queued.redeliveryCounter };
    this.endpoint.send(command, openWireBytesOf(command));
  }
}

export class ActiveMqBroker implements NodeSoftware {
  private node: WorldNode | null = null;
  store: KahaDbStore | null = null;
  private locker: SharedFileLocker | null = null;
  private storeClient: SharedStoreClient | null = null;
  private readonly queues = new Map<string, ActiveMqQueue>();
  /** Every client connection taken (a stop closes them all). */
  private readonly connections = new Set<Endpoint>();
  /** The consumers each connection opened. */
  private readonly consumersOf = new Map<Endpoint, ConsumerTarget[]>();
  /** When each connection was last heard from (the inactivity monitor). */
  private readonly heardNs = new Map<Endpoint, number>();
  /** The producer audit: each producer's highest stored sequence. */
  private readonly audit = new Map<string, number>();
  private isAccepting = false;
  private isInactivityCheckArmed = false;
  private readonly onStoredBound = (result: StorageResult, waiter: StoreWaiter): void => this.onStored(result, waiter);
  private readonly onInactivityCheckBound = (): void => this.onInactivityCheck();

  constructor(
    private readonly world: World,
    readonly spec: ActiveMqBrokerSpec,
  ) {}

  /** It holds the store (shared: the lock) and takes clients. */
  get isMaster(): boolean {
    return this.isAccepting && this.node !== null && this.node.isProcessAlive;
  }

  queue(name: string): ActiveMqQueue | undefined {
    return this.queues.get(name);
  }

  start(node: WorldNode): void {
    this.node = node;
    this.isAccepting = false;
    this.isInactivityCheckArmed = false;
    // A new process: the last one's connections died with it.
    this.connections.clear();
    this.heardNs.clear();
    this.consumersOf.clear();
    const delayNs = this.spec.firstBootDelayNs ?? 0;
    if (delayNs > 0 && node.incarnation === 1 && node.now === 0) {
      node.after(delayNs, () => this.startProcess(node));
      return;
    }
    this.startProcess(node);
  }

  private startProcess(node: WorldNode): void {
    const { store } = this.spec;
    if (store.kind === "local") return this.openStore(new LocalJournalStorage(this.world.disk(node.name)));
    this.storeClient = new SharedStoreClient({ world: this.world, node, server: store.server, lockRecovery: store.lockRecovery, ...(store.leaseNs === undefined ? {} : { leaseNs: store.leaseNs }) });
    this.storeClient.start();
    this.waitForLock();
  }

  private waitForLock(): void {
    const client = this.storeClient!;
    this.locker = new SharedFileLocker(this.node!, client, this.spec.locker, {
      onAcquired: () => this.openStore(new SharedJournalStorage(client)),
      onLost: () => this.giveUpMastership(),
    });
    this.locker.start();
  }

  private openStore(storage: JournalStorage): void {
    const store = new KahaDbStore(this.node!, storage, this.spec.kahaDb, this.world.kernel.marks);
    this.store = store;
    store.recover(() => this.onRecovered(store));
  }

  /** The store is recovered: the queues hold what it holds, the audit knows every stored sequence, the connectors start. */
  private onRecovered(store: KahaDbStore): void {
    if (store !== this.store) return;
    this.queues.clear();
    this.audit.clear();
    for (const name of this.spec.queues) {
      const queue = new ActiveMqQueue(name);
      const messages = store.messages(name);
      for (const message of messages) this.noteStored(message);
      queue.load(messages);
      this.queues.set(name, queue);
    }
    this.isAccepting = true;
    this.world.kernel.marks.hit("activemq.broker.master");
    if (!this.isInactivityCheckArmed) {
      this.isInactivityCheckArmed = true;
      this.node!.after(INACTIVITY_CHECK_NS, this.onInactivityCheckBound);
    }
    this.world.net.listen(this.node!, OPENWIRE_PORT, {
      accept: (endpoint) => {
        this.connections.add(endpoint);
        this.heardNs.set(endpoint, this.node!.now);
        return {
          onData: (_, payload) => {
            this.heardNs.set(endpoint, this.node!.now);
            this.onCommand(endpoint, payload as OpenWireCommand);
          },
          onClose: () => this.onConnectionGone(endpoint),
        };
      },
    });
  }

  private onCommand(endpoint: Endpoint, command: OpenWireCommand): void {
    if (!this.isAccepting) return;
    switch (command.kind) {
      case "MESSAGE":
        return this.onMessage(endpoint, command);
      case "CONSUMER_INFO":
        return this.onConsumer(endpoint, command);
      case "KEEP_ALIVE":
        return void endpoint.send(command, openWireBytesOf(command));
      case "ACK":
        return this.onAck(command);
      default:
        return;
    }
  }

  private onMessage(endpoint: Endpoint, command: Extract<OpenWireCommand, { kind: "MESSAGE" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return this.respond(endpoint, command.commandId, "InvalidDestinationException");
    if (command.sequence <= (this.audit.get(command.producerId) ?? -1)) {
      // A resend after a failover of what the store already has: dropped, answered as stored.
      this.world.kernel.marks.hit("activemq.broker.duplicate-dropped");
      if (command.responseRequired) this.respond(endpoint, command.commandId, "");
      return;
    }
    const message: StoredMessage = { messageId: messageIdOf(command.producerId, command.sequence), producerId: command.producerId, sequence: command.sequence, id: command.id, bodyBytes: command.bodyBytes };
    this.noteStored(message);
    queue.add(message);
    if (!command.persistent) {
      if (command.responseRequired) this.respond(endpoint, command.commandId, "");
      return;
    }
    const waiter: StoreWaiter | null = command.responseRequired ? { endpoint, commandId: command.commandId } : null;
    this.store!.addMessage(command.destination, message, command.responseRequired, waiter === null ? null : this.onStoredBound, waiter as StoreWaiter);
  }

  private onStored(result: StorageResult, waiter: StoreWaiter): void {
    if (result === "ok") return this.respond(waiter.endpoint, waiter.commandId, "");
    // DefaultIOExceptionHandler: the broker stops, and the client sees no reply (SuppressReplyException).
    this.world.kernel.marks.hit("activemq.broker.store-failed");
    this.stopAccepting();
  }

  private onAck(command: Extract<OpenWireCommand, { kind: "ACK" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return;
    for (const messageId of command.messageIds) if (queue.ack(command.consumerId, messageId)) this.store!.removeMessage(command.destination, messageId);
  }

  private onConsumer(endpoint: Endpoint, command: Extract<OpenWireCommand, { kind: "CONSUMER_INFO" }>): void {
    const queue = this.queues.get(command.destination);
    if (queue === undefined) return this.respond(endpoint, command.commandId, "InvalidDestinationException");
    const consumers = this.consumersOf.get(endpoint) ?? [];
    const target = new ConsumerTarget(command.consumerId, endpoint, command.destination);
    consumers.push(target);
    this.consumersOf.set(endpoint, consumers);
    this.respond(endpoint, command.commandId, "");
    queue.subscribe(target, command.prefetch);
  }

  /** Closes every connection silent for maxInactivityDuration (the client's machine died, or the network between). */
  private onInactivityCheck(): void {
    if (!this.isAccepting) {
      this.isInactivityCheckArmed = false;
      return;
    }
    const now = this.node!.now;
    for (const endpoint of [...this.connections]) {
      if (now - (this.heardNs.get(endpoint) ?? now) < MAX_INACTIVITY_NS) continue;
      this.world.kernel.marks.hit("activemq.broker.inactivity-timeout");
      this.onConnectionGone(endpoint);
      endpoint.close();
    }
    this.node!.after(INACTIVITY_CHECK_NS, this.onInactivityCheckBound);
  }

  private onConnectionGone(endpoint: Endpoint): void {
    this.connections.delete(endpoint);
    this.heardNs.delete(endpoint);
    for (const target of this.consumersOf.get(endpoint) ?? []) this.queues.get(target.destination)?.unsubscribe(target.consumerId, target);
    this.consumersOf.delete(endpoint);
  }

  private noteStored(message: StoredMessage): void {
    if (message.sequence > (this.audit.get(message.producerId) ?? -1)) this.audit.set(message.producerId, message.sequence);
  }

  private respond(endpoint: Endpoint, correlationId: number, error: string): void {
    const command: OpenWireCommand = { kind: "RESPONSE", correlationId, error };
    endpoint.send(command, openWireBytesOf(command));
  }

  /** keepAlive found the lock another's: stop being master, and wait for the lock again as a slave (restartAllowed). */
  private giveUpMastership(): void {
    this.world.kernel.marks.hit("activemq.broker.lock-lost");
    this.stopAccepting();
    this.waitForLock();
  }

  private stopAccepting(): void {
    this.isAccepting = false;
    this.store = null;
    this.world.net.unlisten(this.node!, OPENWIRE_PORT);
    for (const endpoint of [...this.connections]) {
      this.onConnectionGone(endpoint);
      endpoint.close();
    }
  }
}
