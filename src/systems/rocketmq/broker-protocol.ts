/**
 * What clients and brokers say to each other on the broker's port (10911),
 * as plain message objects with the bytes each takes on the wire. Every
 * request has a request id (the remoting protocol's `opaque`) that its
 * answer repeats; UPDATE_CONSUMER_OFFSET and NOTIFY_CONSUMER_IDS_CHANGED
 * are one-way. Sources (apache/rocketmq): remoting/.../protocol/
 * RequestCode.java, ResponseCode.java, header/SendMessageRequestHeaderV2
 * (short field names a…n), SendMessageResponseHeader, PullMessageRequestHeader,
 * PullMessageResponseHeader, heartbeat/HeartbeatData; broker/.../processor/
 * SendMessageProcessor, PullMessageProcessor, ConsumerManageProcessor,
 * ClientManageProcessor.
 *
 * Byte sizes: a frame is 4 bytes of length, 4 of header length and a JSON
 * header (code, language, version, opaque, flag, extFields) of the sizes
 * below, then the body: a sent message's body; a pull answer's messages as
 * the commit log stores them (commit-log.ts, storedMessageBytes).
 */
import type { PulledRange } from "./message-store.js";

export const BROKER_PORT = "rocketmq-broker";
/** Producers' and consumers' traffic with brokers (sends, pulls, offsets, heartbeats). */
export const CLIENT_TRAFFIC = "rocketmq-client";

/** SendMessageResponse codes as the client reads them: SUCCESS, the three "stored but" codes, and refusals. */
export type SendCode = "SUCCESS" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE" | "SERVICE_NOT_AVAILABLE" | "NO_PERMISSION" | "SYSTEM_BUSY";

export interface SendMessageRequest {
  kind: "SEND_MESSAGE";
  requestId: number;
  producerGroup: string;
  topic: string;
  queueId: number;
  /** History ids of the messages (a batch: count consecutive ids). */
  idFirst: number;
  count: number;
  bodyBytes: number;
  /** The producer's send() time (bornTimestamp). */
  bornNs: number;
  /** Which attempt of the send this is (0: the first; retries go to another broker when there is one). */
  attempt: number;
}

export interface SendMessageResponse {
  kind: "SEND_MESSAGE_RESPONSE";
  requestId: number;
  code: SendCode;
  /** The first message's offset in its queue (-1 when not stored). */
  queueOffset: number;
}

export interface PullMessageRequest {
  kind: "PULL_MESSAGE";
  requestId: number;
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  /** The consumer's offset of this queue to store, or -1 (the pull's commitOffset with FLAG_COMMIT_OFFSET). */
  commitOffset: number;
  /** How long the broker may hold the pull when nothing is there (brokerSuspendMaxTimeMillis). */
  suspendTimeoutMillis: number;
}

/**
 * PullStatus as the client derives it from the response code: FOUND,
 * NO_NEW_MSG, NO_MATCHED_MSG (PULL_RETRY_IMMEDIATELY), OFFSET_ILLEGAL
 * (PULL_OFFSET_MOVED); and SYSTEM_BUSY, a refusal the client takes as an
 * exception (it pulls again after PULL_TIME_DELAY_MILLS_WHEN_EXCEPTION):
 * 5.x slaves refuse every pull unless slaveReadEnable
 * (PullMessageProcessor.rejectRequest), so by default a 5.x consumer cannot
 * read from a slave while its master is down; 4.9 slaves serve them.
 */
export type PullCode = "FOUND" | "NO_NEW_MSG" | "OFFSET_ILLEGAL" | "NO_MATCHED_MSG" | "SYSTEM_BUSY";

export interface PullMessageResponse {
  kind: "PULL_MESSAGE_RESPONSE";
  requestId: number;
  code: PullCode;
  ranges: PulledRange[];
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Which broker of the group to pull from next (0: the master; a slave's id when the master suggests offloading reads). */
  suggestWhichBrokerId: number;
}

export interface UpdateConsumerOffset {
  kind: "UPDATE_CONSUMER_OFFSET";
  consumerGroup: string;
  topic: string;
  queueId: number;
  commitOffset: number;
}

export interface QueryConsumerOffsetRequest {
  kind: "QUERY_CONSUMER_OFFSET";
  requestId: number;
  consumerGroup: string;
  topic: string;
  queueId: number;
}

export interface QueryConsumerOffsetResponse {
  kind: "QUERY_CONSUMER_OFFSET_RESPONSE";
  requestId: number;
  /** QUERY_NOT_FOUND: the group has no offset for this queue. */
  code: "SUCCESS" | "QUERY_NOT_FOUND";
  offset: number;
}

export interface GetMaxOffsetRequest {
  kind: "GET_MAX_OFFSET";
  requestId: number;
  topic: string;
  queueId: number;
}

export interface GetMaxOffsetResponse {
  kind: "GET_MAX_OFFSET_RESPONSE";
  requestId: number;
  offset: number;
}

/** A client's heartbeat: which consumer groups it is in (and which producer groups). */
export interface HeartbeatRequest {
  kind: "HEART_BEAT";
  requestId: number;
  clientId: string;
  consumerGroups: readonly { group: string; topics: readonly string[] }[];
}

export interface HeartbeatResponse {
  kind: "HEART_BEAT_RESPONSE";
  requestId: number;
}

export interface GetConsumerListRequest {
  kind: "GET_CONSUMER_LIST_BY_GROUP";
  requestId: number;
  consumerGroup: string;
}

export interface GetConsumerListResponse {
  kind: "GET_CONSUMER_LIST_RESPONSE";
  requestId: number;
  /** The group's client ids the broker knows (from heartbeats on live connections). */
  clientIds: string[];
}

/** The broker tells a group's clients its membership changed (one-way): they rebalance now. */
export interface NotifyConsumerIdsChanged {
  kind: "NOTIFY_CONSUMER_IDS_CHANGED";
  consumerGroup: string;
}

/** A slave asks its master for every consumer offset (SlaveSynchronize.syncConsumerOffset). */
export interface GetAllConsumerOffsetRequest {
  kind: "GET_ALL_CONSUMER_OFFSET";
  requestId: number;
}

export interface GetAllConsumerOffsetResponse {
  kind: "GET_ALL_CONSUMER_OFFSET_RESPONSE";
  requestId: number;
  /** ConsumerOffsetManager's table: "topic@group" and queue id → offset, as offsetKey writes them. */
  offsets: readonly (readonly [string, number])[];
}

export type BrokerRequest = SendMessageRequest | PullMessageRequest | UpdateConsumerOffset | QueryConsumerOffsetRequest | GetMaxOffsetRequest | HeartbeatRequest | GetConsumerListRequest | GetAllConsumerOffsetRequest;
export type BrokerResponse = SendMessageResponse | PullMessageResponse | QueryConsumerOffsetResponse | GetMaxOffsetResponse | HeartbeatResponse | GetConsumerListResponse | NotifyConsumerIdsChanged | GetAllConsumerOffsetResponse;
export type BrokerMessage = BrokerRequest | BrokerResponse;

/** Length and header-length fields plus a header's fixed JSON (code, language, version, opaque, flag). */
const FRAME_BYTES = 8 + 110;
/** SendMessageRequestHeaderV2's extFields (a…n: group, topic, default topic, queue nums, queue id, sys flag, born time, flag, properties with UNIQ_KEY, reconsume times, unit mode, batch, max reconsume times). */
const SEND_FIELDS_BYTES = 260;
/** SendMessageResponseHeader: msgId (32 hex), queueId, queueOffset, transactionId. */
const SEND_RESPONSE_FIELDS_BYTES = 110;
/** PullMessageRequestHeader: group, topic, queue id, offset, max nums, sys flag, commit offset, suspend timeout, subscription, sub version. */
const PULL_FIELDS_BYTES = 230;
/** PullMessageResponseHeader: suggestWhichBrokerId, nextBeginOffset, minOffset, maxOffset. */
const PULL_RESPONSE_FIELDS_BYTES = 100;
const OFFSET_FIELDS_BYTES = 90;
/** HeartbeatData's JSON per consumer group (name, consume type and model, consumeFromWhere, one subscription). */
const HEARTBEAT_GROUP_BYTES = 220;
const CLIENT_ID_BYTES = 40;

export function brokerBytesOf(message: BrokerMessage): number {
  switch (message.kind) {
    case "SEND_MESSAGE":
      return FRAME_BYTES + SEND_FIELDS_BYTES + message.topic.length + message.count * message.bodyBytes;
    case "SEND_MESSAGE_RESPONSE":
      return FRAME_BYTES + SEND_RESPONSE_FIELDS_BYTES;
    case "PULL_MESSAGE":
      return FRAME_BYTES + PULL_FIELDS_BYTES + message.topic.length;
    case "PULL_MESSAGE_RESPONSE":
      return FRAME_BYTES + PULL_RESPONSE_FIELDS_BYTES + message.ranges.reduce((sum, range) => sum + range.sizeBytes, 0);
    case "UPDATE_CONSUMER_OFFSET":
    case "QUERY_CONSUMER_OFFSET":
    case "GET_MAX_OFFSET":
      return FRAME_BYTES + OFFSET_FIELDS_BYTES + message.topic.length;
    case "QUERY_CONSUMER_OFFSET_RESPONSE":
    case "GET_MAX_OFFSET_RESPONSE":
    case "HEART_BEAT_RESPONSE":
    case "NOTIFY_CONSUMER_IDS_CHANGED":
      return FRAME_BYTES + 40;
    case "HEART_BEAT":
      return FRAME_BYTES + CLIENT_ID_BYTES + message.consumerGroups.length * HEARTBEAT_GROUP_BYTES;
    case "GET_CONSUMER_LIST_BY_GROUP":
      return FRAME_BYTES + 60;
    case "GET_CONSUMER_LIST_RESPONSE":
      return FRAME_BYTES + 20 + message.clientIds.length * CLIENT_ID_BYTES;
    case "GET_ALL_CONSUMER_OFFSET":
      return FRAME_BYTES;
    case "GET_ALL_CONSUMER_OFFSET_RESPONSE":
      // The JSON of ConsumerOffsetSerializeWrapper: per entry its key and offset.
      return FRAME_BYTES + 20 + message.offsets.reduce((sum, [key]) => sum + key.length + 20, 0);
  }
}

/** The request id a broker's answer carries (undefined for one-way messages). */
export function answerIdOf(message: BrokerMessage): number | undefined {
  return message.kind === "UPDATE_CONSUMER_OFFSET" || message.kind === "NOTIFY_CONSUMER_IDS_CHANGED" ? undefined : message.requestId;
}
