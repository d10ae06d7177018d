/**
 * The OpenWire commands the model's clients and brokers exchange, reduced
 * to what the model needs (activemq-client command/*: MessageDispatch,
 * MessageAck, ConsumerInfo, Response). A producer's message carries its
 * MessageId (producer id and sequence): the broker's duplicate detection
 * keys on it. Sizes are estimates of the marshalled commands.
 */

export const OPENWIRE_PORT = "openwire";
export const OPENWIRE_TRAFFIC = "client";

/** Estimate: an OpenWire command's header (size, type, command id, response flag, correlation). */
const COMMAND_HEADER_BYTES = 40;
/** Estimate: a message's headers and properties beside its body (MessageId, destination, timestamps, JMS headers). */
export const MESSAGE_HEADER_BYTES = 200;

export type OpenWireCommand =
  /** A producer's message; `responseRequired` for a sync send (persistent, outside a transaction, by default). */
  | { kind: "MESSAGE"; commandId: number; destination: string; producerId: string; sequence: number; id: number; bodyBytes: number; persistent: boolean; responseRequired: boolean; transactionId?: string }
  /** A transacted session's commit() (TransactionInfo COMMIT_ONE_PHASE): sync. */
  | { kind: "COMMIT"; commandId: number; transactionId: string }
  /** A consumer on a queue (ConsumerInfo) with its prefetch. */
  | { kind: "CONSUMER_INFO"; commandId: number; consumerId: string; destination: string; prefetch: number }
  /**
   * A consumer's acknowledgement of the messages it consumed since its last
   * (STANDARD_ACK over a range, sent async by default); `poison`: they go to
   * the DLQ; `transactionId`: part of a transacted session's transaction,
   * applied when it commits.
   */
  | { kind: "ACK"; consumerId: string; destination: string; messageIds: readonly string[]; poison?: true; transactionId?: string }
  /** The broker's answer to a command that asked for one. */
  | { kind: "RESPONSE"; correlationId: number; error: string }
  /** KeepAliveInfo: the inactivity monitor's, sent when nothing else was; the broker answers one with one. */
  | { kind: "KEEP_ALIVE" }
  /** A message dispatched to a consumer (its MessageId's two parts too: the client's duplicate audit keys on them). */
  | { kind: "DISPATCH"; consumerId: string; destination: string; messageId: string; producerId: string; sequence: number; id: number; bodyBytes: number; redeliveryCounter: number };

export function openWireBytesOf(command: OpenWireCommand): number {
  if (command.kind === "MESSAGE" || command.kind === "DISPATCH") return COMMAND_HEADER_BYTES + MESSAGE_HEADER_BYTES + command.bodyBytes;
  return COMMAND_HEADER_BYTES;
}

/** A MessageId as the broker keys it: the producer's id and the message's sequence. */
export function messageIdOf(producerId: string, sequence: number): string {
  return `${producerId}:${sequence}`;
}
