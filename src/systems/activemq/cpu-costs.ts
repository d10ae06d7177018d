/**
 * What an ActiveMQ Classic broker's threads spend per unit of work: the one
 * place the model's ActiveMQ CPU costs live (threads: activemq-broker.ts).
 *
 * - Each client connection has its transport thread (the default tcp://
 *   transport: TcpTransport reads with blocking I/O, one thread per
 *   connection, and runs TransportConnection.service for each command):
 *   it unmarshals the command and walks the broker filter chain into
 *   Queue.send (sendRequestNs, sendByteNs), or applies a MessageAck
 *   (ackMessageNs per message it covers).
 * - The store task thread (KahaDBStore's ConcurrentQueueStoreAndDispatch
 *   executor: one thread, ASYNC_EXECUTOR_MAX_THREADS "1"): marshals the
 *   message into a KahaAddMessageCommand and updates the index under the
 *   index lock around the journal write (storeMessageNs, storeByteNs).
 * - Each queue's dispatch (its TaskRunner: the cursor, the subscription,
 *   marshalling the MessageDispatch onto the consumer's connection):
 *   dispatchMessageNs, dispatchByteNs.
 *
 * Estimates, not fitted: no published ActiveMQ figure with the CPU named
 * was found (docs/research/activemq-facts.md), and the seeds' "~10^4 msg/s
 * on one node" is the claim under test, so it is not used to set them.
 * They are of the order a JVM broker spends per OpenWire command (a few
 * allocations, a marshal, a handful of synchronized sections). Never tune
 * them to make a chart come out.
 */
import type { OpenWireCommand } from "./openwire.js";

export interface ActiveMqCpuCosts {
  /** Transport thread, per producer message: unmarshal, filter chain, Queue.send, the cursor add. Estimate. */
  readonly sendRequestNs: number;
  /** Transport thread, per message body byte (unmarshal and copy). Estimate: ~1 GB/s. */
  readonly sendByteNs: number;
  /** Transport thread, per message an ack covers (the subscription's ack, the store's remove). Estimate. */
  readonly ackMessageNs: number;
  /** Store task thread, per message stored: KahaAddMessageCommand marshal, index update under the index lock. Estimate. */
  readonly storeMessageNs: number;
  /** Store task thread, per body byte (the marshal into the command and the journal's copy). Estimate: ~2 GB/s. */
  readonly storeByteNs: number;
  /** The queue's dispatch, per message dispatched (cursor, subscription, MessageDispatch marshal). Estimate. */
  readonly dispatchMessageNs: number;
  /** The queue's dispatch, per body byte marshalled onto the consumer's connection. Estimate: ~2 GB/s. */
  readonly dispatchByteNs: number;
}

export const DEFAULT_ACTIVEMQ_CPU_COSTS: ActiveMqCpuCosts = Object.freeze({
  sendRequestNs: 20_000,
  sendByteNs: 1,
  ackMessageNs: 5_000,
  storeMessageNs: 10_000,
  storeByteNs: 0.5,
  dispatchMessageNs: 8_000,
  dispatchByteNs: 0.5,
});

/**
 * Cores per broker machine by default: 8, the machines RabbitMQ's CPU
 * calibration ran on (i3en.2xlarge, 8 vCPU), so the two brokers are
 * compared on the same machine. A scenario sets its own with `cluster.cores`.
 */
export const CORES_DEFAULT = 8;

/** The transport thread's CPU for a command: a message's unmarshal and send path, an ack's per message. */
export function transportCostNs(costs: ActiveMqCpuCosts, command: OpenWireCommand): number {
  if (command.kind === "MESSAGE") return costs.sendRequestNs + costs.sendByteNs * command.bodyBytes;
  if (command.kind === "ACK") return costs.ackMessageNs * command.messageIds.length;
  return 0;
}
