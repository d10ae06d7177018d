/**
 * RocketMQ's settings in its own names, with the defaults of Apache
 * RocketMQ 5.x where 4.x and 5.x agree, and 5.x's where they differ (said
 * next to the setting). Sources (apache/rocketmq):
 * - store/src/main/java/org/apache/rocketmq/store/config/MessageStoreConfig.java
 * - common/src/main/java/org/apache/rocketmq/common/BrokerConfig.java
 * - common/src/main/java/org/apache/rocketmq/common/namesrv/NamesrvConfig.java
 * - remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyServerConfig.java
 * - namesrv/src/main/java/org/apache/rocketmq/namesrv/routeinfo/RouteInfoManager.java
 * - client/src/main/java/org/apache/rocketmq/client/ClientConfig.java,
 *   producer/DefaultMQProducer.java, consumer/DefaultMQPushConsumer.java
 */

export type BrokerRole = "ASYNC_MASTER" | "SYNC_MASTER" | "SLAVE";
/**
 * Which release's replication rules a broker follows (mqsim's setting, not
 * RocketMQ's). They differ on SYNC_MASTER: 4.9 waits for a slave up to
 * syncFlushTimeout and answers SLAVE_NOT_AVAILABLE when none is connected
 * or it is haMaxGapNotInSync behind (CommitLog.handleHA); 5.x (since RIP-34,
 * apache/rocketmq 5c350af, 2022) waits only when inSyncReplicas ≥ 2, for
 * inSyncReplicas − 1 slaves, up to slaveTimeout, and has no
 * SLAVE_NOT_AVAILABLE: with the default inSyncReplicas = 1 a SYNC_MASTER
 * answers without its slave (the store's own HATest sets inSyncReplicas = 2).
 */
export type RocketVersion = "4.9" | "5.3";
export type FlushDiskType = "ASYNC_FLUSH" | "SYNC_FLUSH";

/** A broker's settings (broker.conf): BrokerConfig and MessageStoreConfig together, as the file mixes them. */
export interface RocketBrokerConfig {
  version: RocketVersion;
  /** Master (ASYNC_MASTER, SYNC_MASTER: acknowledges after a slave has the message) or SLAVE. */
  brokerRole: BrokerRole;
  /** ASYNC_FLUSH: a background thread flushes the commit log; SYNC_FLUSH: the put waits for its flush (group commit). */
  flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: the flush thread's period (ms). */
  flushIntervalCommitLog: number;
  /** ASYNC_FLUSH: pages (4 KiB) that must be dirty before a periodic flush writes. */
  flushCommitLogLeastPages: number;
  /** ASYNC_FLUSH: at least this often (ms) a flush writes whatever is dirty. */
  flushCommitLogThoroughInterval: number;
  /**
   * DLedger mode: the group's commit log replicated by Raft with automatic
   * leader election (dledger-commit-log.ts); brokerRole and flushDiskType
   * are then DLedger's business.
   */
  enableDLegerCommitLog: boolean;
  /** Consume queues' flush period (ms) and least pages. */
  flushIntervalConsumeQueue: number;
  flushConsumeQueueLeastPages: number;
  /** At least this often (ms) the consume queue flush forces whatever is unflushed. */
  flushConsumeQueueThoroughInterval: number;
  /** SYNC_FLUSH and SYNC_MASTER: how long (ms) a put waits for its flush or its slave before it answers FLUSH_DISK_TIMEOUT / FLUSH_SLAVE_TIMEOUT. */
  syncFlushTimeout: number;
  /** 5.x: replicas (master included) a SYNC_MASTER's put waits for. */
  inSyncReplicas: number;
  /** 5.x: how long (ms) a SYNC_MASTER's put waits for its slaves before FLUSH_SLAVE_TIMEOUT. */
  slaveTimeout: number;
  /** Commit log mapped file size (bytes): 1 GiB. */
  mappedFileSizeCommitLog: number;
  /** HA: the slave reports its offset at least this often (ms), and the master heartbeats an idle slave. */
  haSendHeartbeatInterval: number;
  /** HA: the master drops a slave connection silent this long (ms). */
  haHousekeepingInterval: number;
  /** HA: bytes of commit log the master sends a slave at once. */
  haTransferBatchSize: number;
  /** HA: a slave this far behind (bytes) is "not available" to a SYNC_MASTER put (SLAVE_NOT_AVAILABLE). */
  haMaxGapNotInSync: number;
  /** Masters suggest pulling from a slave when a consumer lags beyond accessMessageInMemoryMaxRatio of memory. */
  slaveReadEnable: boolean;
  /** Period (ms) of the broker's registration with every NameServer (registerBrokerAll). */
  registerNameServerPeriod: number;
  /** A registration round's deadline (ms): each NameServer's REGISTER_BROKER times out after it, and the round ends by then (5.x: 24 s; 4.x: 6 s). */
  registerBrokerTimeoutMills: number;
  /** A pull that finds nothing is held until a message arrives or the consumer's brokerSuspendMaxTimeMillis passes (else: shortPollingTimeMills). */
  longPollingEnable: boolean;
  /** Consumer offsets persisted to the broker's disk this often (ms). */
  flushConsumerOffsetInterval: number;
  /** Threads of the SendMessageProcessor pool (5.x: min(cores, 4); 4.x: 1). */
  sendMessageThreadPoolNums: number;
  /** Queues a new topic gets on this broker (read and write). */
  defaultTopicQueueNums: number;
}

export const DEFAULT_BROKER_CONFIG: RocketBrokerConfig = Object.freeze({
  version: "5.3",
  brokerRole: "ASYNC_MASTER",
  flushDiskType: "ASYNC_FLUSH",
  flushIntervalCommitLog: 500,
  flushCommitLogLeastPages: 4,
  flushCommitLogThoroughInterval: 10_000,
  enableDLegerCommitLog: false,
  flushIntervalConsumeQueue: 1_000,
  flushConsumeQueueLeastPages: 2,
  flushConsumeQueueThoroughInterval: 60_000,
  syncFlushTimeout: 5_000,
  inSyncReplicas: 1,
  slaveTimeout: 3_000,
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  haSendHeartbeatInterval: 5_000,
  haHousekeepingInterval: 20_000,
  haTransferBatchSize: 32 * 1024,
  haMaxGapNotInSync: 256 * 1024 * 1024,
  slaveReadEnable: false,
  registerNameServerPeriod: 30_000,
  registerBrokerTimeoutMills: 24_000,
  longPollingEnable: true,
  flushConsumerOffsetInterval: 5_000,
  sendMessageThreadPoolNums: 4,
  defaultTopicQueueNums: 8,
});

/** A NameServer's settings (NamesrvConfig, RouteInfoManager). */
export interface RocketNamesrvConfig {
  /** Period (ms) of the scan that drops brokers silent past their heartbeat timeout (5.x: 5 s; 4.x: 10 s). */
  scanNotActiveBrokerInterval: number;
  /** A broker not registered again within this (ms) is dropped (RouteInfoManager's DEFAULT_BROKER_CHANNEL_EXPIRED_TIME: 2 min). */
  brokerChannelExpiredTime: number;
  /** A connection with nothing read or written this long (s) is closed by the NameServer (NettyServerConfig's IdleStateHandler), dropping the broker that registered over it. */
  serverChannelMaxIdleTimeSeconds: number;
}

export const DEFAULT_NAMESRV_CONFIG: RocketNamesrvConfig = Object.freeze({
  scanNotActiveBrokerInterval: 5_000,
  brokerChannelExpiredTime: 120_000,
  serverChannelMaxIdleTimeSeconds: 120,
});

/** Client settings every RocketMQ client has (ClientConfig). */
export interface RocketClientConfig {
  /** Period (ms) of the route refresh from the NameServer (updateTopicRouteInfoFromNameServer). */
  pollNameServerInterval: number;
  /** Period (ms) of the heartbeat to every broker (consumer group membership lives on it). */
  heartbeatBrokerInterval: number;
  /** Period (ms) of persisting consumer offsets to the broker. */
  persistConsumerOffsetInterval: number;
  /** Timeout (ms) of a client's request to the NameServer (ClientConfig.mqClientApiTimeout), route queries included. */
  mqClientApiTimeout: number;
}

export const DEFAULT_CLIENT_CONFIG: RocketClientConfig = Object.freeze({
  pollNameServerInterval: 30_000,
  heartbeatBrokerInterval: 30_000,
  persistConsumerOffsetInterval: 5_000,
  mqClientApiTimeout: 3_000,
});

/** DefaultMQProducer's settings. */
export interface RocketProducerConfig extends RocketClientConfig {
  /** A synchronous send's timeout (ms), retries included. */
  sendMsgTimeout: number;
  /**
   * An attempt's own timeout (ms) when another attempt may follow (-1: none, each attempt
   * may use what is left of sendMsgTimeout). Since 5.3.3 (apache/rocketmq #8997): without it a
   * broker that never answers uses the whole sendMsgTimeout, leaving no time to retry elsewhere.
   */
  sendMsgMaxTimeoutPerRequest: number;
  /** Extra attempts of a synchronous send after a failure (to another broker when there is one). */
  retryTimesWhenSendFailed: number;
  /** Retry a send answered with a status other than SEND_OK (FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE). */
  retryAnotherBrokerWhenNotStoreOK: boolean;
  /** Avoid, for a while, a broker that was slow or failed (MQFaultStrategy). */
  sendLatencyFaultEnable: boolean;
}

export const DEFAULT_PRODUCER_CONFIG: RocketProducerConfig = Object.freeze({
  ...DEFAULT_CLIENT_CONFIG,
  sendMsgTimeout: 3_000,
  sendMsgMaxTimeoutPerRequest: -1,
  retryTimesWhenSendFailed: 2,
  retryAnotherBrokerWhenNotStoreOK: false,
  sendLatencyFaultEnable: false,
});

export type ConsumeFromWhere = "CONSUME_FROM_LAST_OFFSET" | "CONSUME_FROM_FIRST_OFFSET";

/** DefaultMQPushConsumer's settings (clustering mode). */
export interface RocketConsumerConfig extends RocketClientConfig {
  /** Messages per pull. */
  pullBatchSize: number;
  /** How long (ms) the broker may hold a pull that finds nothing (long polling). */
  brokerSuspendMaxTimeMillis: number;
  /** Period (ms) of the rebalance (rocketmq.client.rebalance.waitInterval). */
  rebalanceInterval: number;
  /** Where a group with no stored offset starts on a queue. */
  consumeFromWhere: ConsumeFromWhere;
  /** Messages cached per queue before the consumer stops pulling it. */
  pullThresholdForQueue: number;
}

export const DEFAULT_CONSUMER_CONFIG: RocketConsumerConfig = Object.freeze({
  ...DEFAULT_CLIENT_CONFIG,
  pullBatchSize: 32,
  brokerSuspendMaxTimeMillis: 15_000,
  rebalanceInterval: 20_000,
  consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
  pullThresholdForQueue: 1_000,
});
