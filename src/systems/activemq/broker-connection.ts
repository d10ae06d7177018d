/**
 * A client's connection as the broker holds it (TransportConnection over
 * the default tcp:// transport): its transport thread, which handles its
 * commands one at a time (and is held by a sync send until the store
 * answers), when it was last heard from (the inactivity monitor), and the
 * consumers it opened, whose dispatches the queue's own thread marshals
 * onto it.
 */
import type { Endpoint } from "../../world/connection.js";
import type { CpuCores } from "../../world/cpu-cores.js";
import type { WorldNode } from "../../world/node.js";
import { SerialThread } from "../../world/serial-thread.js";
import type { DispatchTarget, QueuedMessage } from "./activemq-queue.js";
import type { TransactionAdd } from "./kahadb-store.js";
import type { ActiveMqCpuCosts } from "./cpu-costs.js";
import { openWireBytesOf, type OpenWireCommand } from "./openwire.js";

/** A transaction a client opened on its connection: the messages it sent and the acks of messages it consumed, applied at commit. */
export interface OpenTransaction {
  readonly adds: TransactionAdd[];
  readonly acks: { readonly destination: string; readonly consumerId: string; readonly messageId: string }[];
}

export /** A client connection: its endpoint, its transport thread, the consumers it opened, when it was last heard from. */
class ClientConnection {
  readonly thread: SerialThread;
  readonly consumers: ConsumerTarget[] = [];
  /** Open transactions' sends and acks (not yet committed): gone with the connection (rolled back). */
  readonly transactions = new Map<string, OpenTransaction>();
  readonly onCommandBound: (command: OpenWireCommand) => void;

  constructor(
    readonly endpoint: Endpoint,
    node: WorldNode,
    public heardNs: number,
    onCommand: (connection: ClientConnection, command: OpenWireCommand) => void,
    cores: CpuCores,
  ) {
    this.thread = new SerialThread(node, cores);
    this.onCommandBound = (command) => onCommand(this, command);
  }

  /** The open transaction of that id, begun by its first send or ack. */
  transactionOf(transactionId: string): OpenTransaction {
    let transaction = this.transactions.get(transactionId);
    if (transaction === undefined) {
      transaction = { adds: [], acks: [] };
      this.transactions.set(transactionId, transaction);
    }
    return transaction;
  }
}

export /** A consumer's end of the queue: its dispatches are marshalled on the queue's dispatch thread and go down its connection. */
class ConsumerTarget implements DispatchTarget {
  private readonly sendBound = (command: OpenWireCommand): void => void this.endpoint.send(command, openWireBytesOf(command));

  constructor(
    readonly consumerId: string,
    readonly endpoint: Endpoint,
    readonly destination: string,
    private readonly dispatchThread: SerialThread,
    private readonly costs: ActiveMqCpuCosts,
  ) {}

  dispatch(queued: QueuedMessage): void {
    const { message } = queued;
    const command: OpenWireCommand = { kind: "DISPATCH", consumerId: this.consumerId, destination: this.destination, messageId: message.messageId, producerId: message.producerId, sequence: message.sequence, id: message.id, bodyBytes: message.bodyBytes, redeliveryCounter: queued.redeliveryCounter };
    this.dispatchThread.run(this.costs.dispatchMessageNs + this.costs.dispatchByteNs * message.bodyBytes, this.sendBound, command);
  }
}
