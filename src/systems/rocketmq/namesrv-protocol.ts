/**
 * The NameServer's requests and answers, as plain message objects, with the
 * bytes each takes on the wire. A request carries a request id (the
 * remoting protocol's `opaque`) that its answer repeats, so a client matches
 * answers to requests.
 *
 * Sources (apache/rocketmq):
 * - remoting/src/main/java/org/apache/rocketmq/remoting/protocol/RemotingCommand.java
 *   (the frame: a 4-byte length, a 4-byte header length with the serialize
 *   type, a JSON header — code, language, version, opaque, flag, extFields —
 *   and a body);
 * - remoting/.../protocol/header/namesrv/RegisterBrokerRequestHeader.java,
 *   RegisterBrokerResponseHeader.java, UnRegisterBrokerRequestHeader.java,
 *   GetRouteInfoRequestHeader.java; protocol/body/RegisterBrokerBody.java
 *   (the topic configs, as TopicConfigSerializeWrapper JSON);
 * - namesrv/src/main/java/org/apache/rocketmq/namesrv/processor/DefaultRequestProcessor.java,
 *   ClientRequestProcessor.java (what is answered).
 *
 * The byte sizes are estimates of those JSON encodings with addresses as
 * "ip:port" text (about 20 bytes), not node names: enough for the
 * NameServer's share of the wire, which is small beside the data traffic.
 */
import type { TopicRouteData } from "./route.js";

/** The NameServer's listening port (9876 in RocketMQ). */
export const NAMESRV_PORT = "rocketmq-namesrv";
/** Traffic class of brokers' registrations and clients' route queries (a partition may cut it alone). */
export const NAMESRV_TRAFFIC = "rocketmq-namesrv";

/** One topic's config as a broker registers it (TopicConfig's fields the NameServer keeps). */
export interface TopicRegistration {
  name: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
}

/** What a broker registers (RegisterBrokerRequestHeader and RegisterBrokerBody), without the request id. */
export interface BrokerRegistration {
  clusterName: string;
  /** The broker's node name (its "ip:port"). */
  brokerAddr: string;
  brokerName: string;
  /** 0 for the master, 1, 2, … for slaves. */
  brokerId: number;
  /** Where a slave's HA connection reaches this broker (the master's HA port). */
  haServerAddr: string;
  topics: readonly TopicRegistration[];
  /** Absent: the NameServer's default, 120 s (5.x brokers send it only with enableSlaveActingMaster). */
  heartbeatTimeoutMillis?: number;
  /**
   * The header's enableActingMaster: 5.x brokers always send it (false by
   * default), 4.x brokers never (absent). The NameServer reads its presence
   * as "a 5.x broker", which lets a slave that is the lowest id of its
   * group (the master missing) register the group's queues; see
   * route-info-manager.ts.
   */
  enableActingMaster?: boolean;
}

export interface RegisterBrokerRequest extends BrokerRegistration {
  kind: "REGISTER_BROKER";
  requestId: number;
}

/** RegisterBrokerResult: for a slave, its master's address and HA address while the master is registered; null otherwise. */
export interface RegisterBrokerResult {
  masterAddr: string | null;
  haServerAddr: string | null;
}

export interface RegisterBrokerResponse {
  kind: "REGISTER_BROKER_RESPONSE";
  requestId: number;
  result: RegisterBrokerResult;
}

/** Sent by a broker that stops in order (BrokerController.shutdown → unregisterBrokerAll). */
export interface UnregisterBrokerRequest {
  kind: "UNREGISTER_BROKER";
  requestId: number;
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
}

export interface UnregisterBrokerResponse {
  kind: "UNREGISTER_BROKER_RESPONSE";
  requestId: number;
}

export interface GetRouteInfoRequest {
  kind: "GET_ROUTEINFO_BY_TOPIC";
  requestId: number;
  topic: string;
}

/** SUCCESS with the route, or TOPIC_NOT_EXIST (no queue data for the topic, or none of its broker groups registered). */
export type GetRouteInfoResponse =
  | { kind: "GET_ROUTEINFO_RESPONSE"; requestId: number; code: "SUCCESS"; route: TopicRouteData }
  | { kind: "GET_ROUTEINFO_RESPONSE"; requestId: number; code: "TOPIC_NOT_EXIST"; route: null };

export type NamesrvRequest = RegisterBrokerRequest | UnregisterBrokerRequest | GetRouteInfoRequest;
export type NamesrvResponse = RegisterBrokerResponse | UnregisterBrokerResponse | GetRouteInfoResponse;
export type NamesrvMessage = NamesrvRequest | NamesrvResponse;

/** Length and header-length fields, and a header's fixed JSON (code, language, version, opaque, flag, serializeTypeCurrentRPC). */
const FRAME_BYTES = 8 + 110;
/** An "ip:port" address in JSON. */
const ADDR_BYTES = 22;
/** REGISTER_BROKER's extFields beside the addresses and names (brokerId, compressed, enableActingMaster, bodyCrc32, …). */
const REGISTER_FIELDS_BYTES = 150;
/** RegisterBrokerBody's wrapper: dataVersion, filterServerList, topicQueueMappingInfoMap. */
const REGISTER_BODY_BYTES = 160;
/** One TopicConfig in JSON beside its name (twice: key and topicName): queue counts, perm, filter type, sys flag, order, attributes. */
const TOPIC_CONFIG_BYTES = 150;
/** One QueueData in JSON beside its brokerName. */
const QUEUE_DATA_BYTES = 80;
/** One BrokerData in JSON beside its names and addresses (zoneName, enableActingMaster, braces). */
const BROKER_DATA_BYTES = 75;
/** A route's wrapper (filterServerTable, topicQueueMappingByBroker). */
const ROUTE_BODY_BYTES = 60;
/** A header's remark or extFields of a small answer or request. */
const SMALL_FIELDS_BYTES = 40;

/** Bytes on the wire of a NameServer message (frame, header and body). */
export function namesrvBytesOf(message: NamesrvMessage): number {
  switch (message.kind) {
    case "REGISTER_BROKER":
      return FRAME_BYTES + REGISTER_FIELDS_BYTES + registrationBytes(message);
    case "REGISTER_BROKER_RESPONSE":
      return FRAME_BYTES + SMALL_FIELDS_BYTES + 2 * ADDR_BYTES;
    case "UNREGISTER_BROKER":
      return FRAME_BYTES + SMALL_FIELDS_BYTES + ADDR_BYTES + message.clusterName.length + message.brokerName.length;
    case "UNREGISTER_BROKER_RESPONSE":
      return FRAME_BYTES;
    case "GET_ROUTEINFO_BY_TOPIC":
      return FRAME_BYTES + SMALL_FIELDS_BYTES + message.topic.length;
    case "GET_ROUTEINFO_RESPONSE":
      return FRAME_BYTES + SMALL_FIELDS_BYTES + (message.route === null ? 0 : routeBytes(message.route));
  }
}

function registrationBytes(registration: BrokerRegistration): number {
  let bytes = REGISTER_BODY_BYTES + 2 * ADDR_BYTES + registration.clusterName.length + registration.brokerName.length;
  for (const topic of registration.topics) bytes += TOPIC_CONFIG_BYTES + 2 * topic.name.length;
  return bytes;
}

function routeBytes(route: TopicRouteData): number {
  let bytes = ROUTE_BODY_BYTES;
  for (const queueData of route.queueDatas) bytes += QUEUE_DATA_BYTES + queueData.brokerName.length;
  for (const brokerData of route.brokerDatas) bytes += BROKER_DATA_BYTES + brokerData.cluster.length + brokerData.brokerName.length + brokerData.brokerAddrs.length * (ADDR_BYTES + 4);
  return bytes;
}
