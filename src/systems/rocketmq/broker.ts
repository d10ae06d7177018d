/**
 * A RocketMQ broker process (BrokerController): a master (brokerId 0,
 * ASYNC_MASTER or SYNC_MASTER) or a slave of one broker group
 * (brokerName), with its message store, its side of HA, its registration
 * with every NameServer, and the requests it serves on its port:
 *
 * - SEND_MESSAGE: decoded on a SendMessageProcessor pool thread, appended
 *   under the put lock, answered when the store says (flush and slave as
 *   configured). The send thread does not wait for that answer: since
 *   4.7 SendMessageProcessor is asynchronous (asyncPutMessage, answered
 *   from the put's future; 4.9.4 and 5.x alike), with
 *   sendMessageThreadPoolNums threads. A slave refuses sends (the store is
 *   read-only there: SERVICE_NOT_AVAILABLE).
 * - PULL_MESSAGE: served from the consume queue; nothing new → held for
 *   long polling (pull-hold-service.ts); the pull's commitOffset is stored
 *   on a master. A 5.x slave refuses pulls unless slaveReadEnable
 *   (rejectRequest → SYSTEM_BUSY); a 4.9 slave serves them.
 * - Consumer offsets (consumer-offset-manager.ts), group membership by
 *   heartbeat (consumer-manager.ts), a queue's max offset.
 *
 * Everything lives in the process: a crash loses it but the disk, and a
 * restart recovers the store and the offsets file.
 *
 * With enableDLegerCommitLog the group's commit log is replicated by
 * DLedger (dledger-commit-log.ts): the member DLedger elects is the master,
 * and the broker's role and brokerId follow every election.
 */
import type { Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { brokerBytesOf, BROKER_PORT, type BrokerMessage, type PullCode, type PullMessageRequest, type PullMessageResponse, type QueryConsumerOffsetRequest, type QueryConsumerOffsetResponse, type SendCode, type SendMessageRequest } from "./broker-protocol.js";
import type { RocketBrokerConfig } from "./config.js";
import { ConsumerManager } from "./consumer-manager.js";
import { ConsumerOffsetManager } from "./consumer-offset-manager.js";
import type { RocketCpuCosts } from "./cpu-costs.js";
import { DLedgerCommitLog, memoryStoreDisk, type DLedgerPutStatus } from "./dledger-commit-log.js";
import { storedMessageBytes, type CommitLogRecord } from "./commit-log.js";
import { HaClient } from "./ha-client.js";
import { HaService } from "./ha-service.js";
import { MessageStore, type GetMessageResult, type PutResult } from "./message-store.js";
import type { BrokerRegistration, RegisterBrokerResult } from "./namesrv-protocol.js";
import { NamesrvRegistrar } from "./namesrv-registrar.js";
import { PullHoldService } from "./pull-hold-service.js";
import { MASTER_ID, PERM_READ_WRITE } from "./route.js";
import { ThreadPool, type SerialThread } from "../../world/serial-thread.js";
import { SlaveSynchronize } from "./slave-synchronize.js";

export interface RocketBrokerSpec {
  clusterName: string;
  brokerName: string;
  /** 0: the master; 1, 2, …: slaves. */
  brokerId: number;
  config: RocketBrokerConfig;
  topics: readonly { name: string; queueNums: number }[];
  nameServers: readonly string[];
  cpu: RocketCpuCosts;
  /** DLedger mode: the group's nodes (dLegerPeers), this broker's among them. */
  dLegerPeers?: readonly string[];
}

const NS_PER_MS = 1_000_000;
/** PullMessageProcessor's pool: 16 + 2 × cores; the model's machines are taken to have 2 cores. */
const PULL_THREADS = 20;
/** A slave's first boot follows its master's by this much. */
const SLAVE_FIRST_BOOT_DELAY_NS = 1_000 * NS_PER_MS;
/** scanNotActiveChannel runs every 10 s. */
const CHANNEL_SCAN_NS = 10_000 * NS_PER_MS;

interface SendContext {
  endpoint: Endpoint;
  request: SendMessageRequest;
}

interface PullContext {
  endpoint: Endpoint;
  request: PullMessageRequest;
  /** It was held once already: whatever it finds now is the answer. */
  wasHeld: boolean;
}

export class RocketBroker implements NodeSoftware {
  private node: WorldNode | null = null;
  store: MessageStore | null = null;
  ha: HaService | null = null;
  haClient: HaClient | null = null;
  private slaveSync: SlaveSynchronize | null = null;
  offsets: ConsumerOffsetManager | null = null;
  private registrar: NamesrvRegistrar | null = null;
  private sendPool: ThreadPool | null = null;
  private putLock: SerialThread | null = null;
  private pullPool: ThreadPool | null = null;
  private holds: PullHoldService<PullContext> | null = null;
  private consumers: ConsumerManager | null = null;
  dledger: DLedgerCommitLog | null = null;
  /** The role and id the broker has now: fixed in classic master/slave, DLedger's choice in DLedger mode. */
  private isSlaveNow: boolean;
  private brokerIdNow: number;
  private readonly onDLedgerPutBound = (status: DLedgerPutStatus, record: CommitLogRecord | null, context: SendContext): void =>
    this.answerSend(context, status === "PUT_OK" ? "SUCCESS" : status === "OS_PAGECACHE_BUSY" ? "SYSTEM_BUSY" : status, record?.queueOffset ?? -1);
  private readonly onSendDecodedBound = (context: SendContext): void => this.onSendDecoded(context);
  private readonly onAppendBound = (context: SendContext): void => this.onAppend(context);
  private readonly onPutDoneBound = (result: PutResult, context: SendContext): void => this.onPutDone(result, context);

  constructor(
    private readonly world: World,
    readonly spec: RocketBrokerSpec,
  ) {
    this.isSlaveNow = spec.config.brokerRole === "SLAVE";
    this.brokerIdNow = spec.brokerId;
  }

  get isSlave(): boolean {
    return this.isSlaveNow;
  }

  get isDLedger(): boolean {
    return this.spec.config.enableDLegerCommitLog;
  }

  get isRunning(): boolean {
    return this.node !== null && this.node.isProcessAlive;
  }

  start(node: WorldNode): void {
    this.node = node;
    // Deployment guides start a group's master before its slaves (a slave learns its master's HA address from its
    // first registration, and registers again only 10 s later): the cluster's first boot does the same.
    if (this.isSlave && !this.isDLedger && node.incarnation === 1 && node.now === 0) {
      node.after(SLAVE_FIRST_BOOT_DELAY_NS, () => this.startProcess(node));
      return;
    }
    this.startProcess(node);
  }

  private startProcess(node: WorldNode): void {
    const { config } = this.spec;
    const disk = this.world.disk(node.name);
    const endBefore = this.store?.commitLog.maxOffset;
    this.store = this.newStore(node);
    this.noteRecoveredLog(endBefore, this.store.commitLog.maxOffset);
    if (!this.isDLedger && this.spec.brokerId === MASTER_ID) this.world.clusterLog.record("leader", this.spec.brokerName, node.name, -1, `master (brokerId 0, ${this.spec.config.brokerRole})`);
    this.offsets = new ConsumerOffsetManager(disk);
    this.sendPool = new ThreadPool(node, config.sendMessageThreadPoolNums);
    this.putLock = new ThreadPool(node, 1).threads[0]!;
    this.pullPool = new ThreadPool(node, PULL_THREADS);
    this.holds = new PullHoldService(node, (pull, isExpired) => this.servePull(pull, isExpired));
    this.consumers = new ConsumerManager((group, endpoint) => this.reply(endpoint, { kind: "NOTIFY_CONSUMER_IDS_CHANGED", consumerGroup: group }));
    this.store.start(this.isDLedger);
    this.holds.start();
    if (this.isDLedger) this.startDLedger(node);
    else this.startHa(node);
    this.world.net.listen(node, BROKER_PORT, { accept: (endpoint) => ({ onData: (_, payload) => this.onRequest(endpoint, payload as BrokerMessage), onClose: () => this.consumers?.onClose(endpoint) }) });
    this.registrar = new NamesrvRegistrar({ world: this.world, node, nameServers: this.spec.nameServers, registration: () => this.registration(), config, onResult: (result) => this.onRegistered(result) });
    this.registrar.start();
    node.after(config.flushConsumerOffsetInterval * NS_PER_MS, () => this.persistOffsets());
    node.after(CHANNEL_SCAN_NS, () => this.scanChannels());
  }

  /** A commit log that came back from a restart shorter than it was (an unflushed tail lost with the page cache): a truncation on the run's timeline. */
  private noteRecoveredLog(endBefore: number | undefined, endAfter: number): void {
    if (endBefore === undefined || endAfter >= endBefore || this.isDLedger) return;
    this.world.clusterLog.record("truncation", this.spec.brokerName, this.node!.name, -1, `commit log recovery at restart: offset ${endBefore} → ${endAfter} (unflushed tail lost)`);
  }

  /** An orderly stop: unregister from the NameServers (they drop the broker at once) and persist the offsets. */
  shutdown(): void {
    if (!this.isRunning) return;
    this.registrar?.unregisterAll();
    this.offsets?.persist();
  }

  /** Threads' CPU so far, for probes: the send pool, the put lock, the pull pool. */
  cpuUse(): { sendNs: number; sendThreads: number; putLockNs: number; pullNs: number; pullThreads: number } {
    return {
      sendNs: this.sendPool?.busyNs ?? 0,
      sendThreads: this.sendPool?.threads.length ?? 1,
      putLockNs: this.putLock?.busyNs ?? 0,
      pullNs: this.pullPool?.busyNs ?? 0,
      pullThreads: PULL_THREADS,
    };
  }

  /** The message store on the node's disk, or (DLedger) DLedger's view of its log in memory. */
  private newStore(node: WorldNode): MessageStore {
    return new MessageStore(node, this.isDLedger ? memoryStoreDisk(this.world, node) : this.world.disk(node.name), this.spec.config, {
      onMessageArrived: (topic, queueId, maxOffset) => this.holds?.notifyMessageArriving(topic, queueId, maxOffset),
      onBlockedPutReturned: () => this.putLock!.release(),
    });
  }

  /** DLedger mode: every member starts as a slave; the one elected becomes the master (DLedgerRoleChangeHandler). */
  private startDLedger(node: WorldNode): void {
    const peers = this.spec.dLegerPeers!;
    this.isSlaveNow = true;
    this.brokerIdNow = this.followerBrokerId();
    const listener = {
      onLeadership: (isLeader: boolean): void => this.onLeadership(isLeader),
      newStore: (): MessageStore => {
        this.store = this.newStore(node);
        this.store.start(true);
        return this.store;
      },
    };
    this.dledger = new DLedgerCommitLog(this.world, node, this.spec.brokerName, peers, this.store!, listener);
    this.slaveSync = new SlaveSynchronize(this.world, node, (offsets) => this.offsets?.replaceWith(offsets));
    this.slaveSync.start();
    this.dledger.start();
  }

  /** changeToSlave(dLedgerCommitLog.getId()): the member's number in dLegerPeers, plus one. */
  private followerBrokerId(): number {
    return this.spec.dLegerPeers!.indexOf(this.node!.name) + 1;
  }

  private onLeadership(isLeader: boolean): void {
    this.isSlaveNow = !isLeader;
    this.brokerIdNow = isLeader ? MASTER_ID : this.followerBrokerId();
    if (isLeader) this.slaveSync?.setMaster(null);
    this.registrar?.registerNow();
  }

  private startHa(node: WorldNode): void {
    const store = this.store!;
    if (this.isSlave) {
      this.haClient = new HaClient(this.world, node, store, this.spec.config);
      this.haClient.start();
      this.slaveSync = new SlaveSynchronize(this.world, node, (offsets) => this.offsets?.replaceWith(offsets));
      this.slaveSync.start();
      return;
    }
    this.ha = new HaService(this.world, node, store, this.spec.config);
    this.ha.start();
    if (this.spec.config.brokerRole === "SYNC_MASTER") store.setReplicaWait(this.ha);
  }

  private registration(): BrokerRegistration {
    const { clusterName, brokerName, config, topics } = this.spec;
    const name = this.node!.name;
    return {
      clusterName,
      brokerAddr: name,
      brokerName,
      brokerId: this.brokerIdNow,
      haServerAddr: name,
      topics: topics.map((topic) => ({ name: topic.name, readQueueNums: topic.queueNums, writeQueueNums: topic.queueNums, perm: PERM_READ_WRITE })),
      ...(config.version === "4.9" ? {} : { enableActingMaster: false }),
    };
  }

  /** A slave learns its master's HA address from the NameServer's answer (updateMasterHAServerAddrPeriodically). */
  private onRegistered(result: RegisterBrokerResult): void {
    if (!this.isSlave) return;
    if (result.haServerAddr !== null) this.haClient?.setMaster(result.haServerAddr);
    // SlaveSynchronize.setMasterAddr: the master's address from every registration (null while no master is registered).
    this.slaveSync?.setMaster(result.masterAddr);
  }

  private onRequest(endpoint: Endpoint, message: BrokerMessage): void {
    switch (message.kind) {
      case "SEND_MESSAGE":
        return this.onSend(endpoint, message);
      case "PULL_MESSAGE":
        return this.onPull(endpoint, message);
      case "UPDATE_CONSUMER_OFFSET":
        return this.offsets!.commit(message.consumerGroup, message.topic, message.queueId, message.commitOffset);
      case "QUERY_CONSUMER_OFFSET":
        return this.reply(endpoint, this.queryOffset(message));
      case "GET_MAX_OFFSET":
        return this.reply(endpoint, { kind: "GET_MAX_OFFSET_RESPONSE", requestId: message.requestId, offset: this.store!.maxOffsetInQueue(message.topic, message.queueId) });
      case "HEART_BEAT":
        this.consumers!.heartbeat(message.clientId, message.consumerGroups.map((g) => g.group), endpoint, this.node!.now);
        return this.reply(endpoint, { kind: "HEART_BEAT_RESPONSE", requestId: message.requestId });
      case "GET_ALL_CONSUMER_OFFSET":
        return this.reply(endpoint, { kind: "GET_ALL_CONSUMER_OFFSET_RESPONSE", requestId: message.requestId, offsets: [...this.offsets!.table()] });
      case "GET_CONSUMER_LIST_BY_GROUP":
        return this.reply(endpoint, { kind: "GET_CONSUMER_LIST_RESPONSE", requestId: message.requestId, clientIds: this.consumers!.clientIds(message.consumerGroup) });
      default:
        return;
    }
  }

  /**
   * ConsumerManageProcessor.queryConsumerOffset: a group with no offset on a
   * queue whose first message is still there (minOffset 0, and in memory:
   * the model does not tell memory from disk here) is told 0, so a new group
   * reads a young queue from its start whatever its consumeFromWhere.
   */
  private queryOffset(message: QueryConsumerOffsetRequest): QueryConsumerOffsetResponse {
    const stored = this.offsets!.query(message.consumerGroup, message.topic, message.queueId);
    const isYoung = stored < 0 && this.store!.minOffsetInQueue(message.topic, message.queueId) <= 0;
    const offset = isYoung ? 0 : stored;
    return { kind: "QUERY_CONSUMER_OFFSET_RESPONSE", requestId: message.requestId, code: offset < 0 ? "QUERY_NOT_FOUND" : "SUCCESS", offset };
  }

  private reply(endpoint: Endpoint, message: BrokerMessage): void {
    endpoint.send(message, brokerBytesOf(message));
  }

  private onSend(endpoint: Endpoint, request: SendMessageRequest): void {
    const context: SendContext = { endpoint, request };
    this.sendPool!.run(this.spec.cpu.sendRequestNs, this.onSendDecodedBound, context);
  }

  private onSendDecoded(context: SendContext): void {
    const { request } = context;
    if (this.isSlave || !this.hasQueue(request.topic, request.queueId)) {
      this.answerSend(context, this.isSlave ? "SERVICE_NOT_AVAILABLE" : "NO_PERMISSION", -1);
      return;
    }
    const { appendMessageNs, appendByteNs } = this.spec.cpu;
    this.putLock!.run(request.count * (appendMessageNs + appendByteNs * request.bodyBytes), this.onAppendBound, context);
  }

  private onAppend(context: SendContext): void {
    const { request } = context;
    const put = { topic: request.topic, queueId: request.queueId, count: request.count, idFirst: request.idFirst, bodyBytes: request.bodyBytes };
    if (this.dledger !== null) {
      this.dledger.append({ ...put, storedBytes: put.count * storedMessageBytes(put.topic, put.bodyBytes) }, this.onDLedgerPutBound, context);
      return;
    }
    if (this.store!.putMessage(put, this.onPutDoneBound, context) === "blocked") {
      // The copy into the mapped file waits in balance_dirty_pages, holding the put lock: every send waits behind it.
      this.world.kernel.marks.hit("rocketmq.store.put-throttled");
      this.putLock!.block();
    }
    if (this.spec.config.brokerRole === "SYNC_MASTER") this.ha?.onSyncPut();
  }

  private onPutDone(result: PutResult, context: SendContext): void {
    const code: SendCode = result.status === "PUT_OK" ? "SUCCESS" : result.status;
    this.answerSend(context, code, result.record?.queueOffset ?? -1);
  }

  private answerSend(context: SendContext, code: SendCode, queueOffset: number): void {
    if (!this.isRunning) return;
    this.reply(context.endpoint, { kind: "SEND_MESSAGE_RESPONSE", requestId: context.request.requestId, code, queueOffset });
  }

  private hasQueue(topic: string, queueId: number): boolean {
    const config = this.spec.topics.find((candidate) => candidate.name === topic);
    return config !== undefined && queueId >= 0 && queueId < config.queueNums;
  }

  private onPull(endpoint: Endpoint, request: PullMessageRequest): void {
    const { config } = this.spec;
    if (this.isSlave && config.version !== "4.9" && !config.slaveReadEnable) {
      // rejectRequest: the remoting layer answers SYSTEM_BUSY before the processor runs.
      this.world.kernel.marks.hit("rocketmq.broker.slave-read-rejected");
      this.reply(endpoint, this.pullResponse(request, "SYSTEM_BUSY", null));
      return;
    }
    if (request.commitOffset >= 0 && !this.isSlave) this.offsets!.commit(request.consumerGroup, request.topic, request.queueId, request.commitOffset);
    this.servePull({ endpoint, request, wasHeld: false }, false);
  }

  /** Serves a pull now; one with nothing new is held for long polling until it has waited its suspend time. */
  private servePull(context: PullContext, isExpired: boolean): void {
    const { request } = context;
    const result = this.store!.getMessage(request.topic, request.queueId, request.queueOffset, request.maxMsgNums);
    const code = this.pullCode(result, request.queueOffset);
    const canHold = this.spec.config.longPollingEnable && request.suspendTimeoutMillis > 0 && !isExpired && !context.wasHeld;
    if (code === "NO_NEW_MSG" && canHold) {
      context.wasHeld = true;
      this.holds!.hold({ pull: context, topic: request.topic, queueId: request.queueId, offset: request.queueOffset, deadlineNs: this.node!.now + request.suspendTimeoutMillis * NS_PER_MS });
      return;
    }
    const messages = result.ranges.reduce((sum, range) => sum + range.count, 0);
    const costNs = this.spec.cpu.pullRequestNs + messages * this.spec.cpu.pullMessageNs;
    this.pullPool!.run(costNs, () => this.reply(context.endpoint, this.pullResponse(request, code, result)), null);
  }

  /** PullMessageProcessor's code for what the store found (a slave answers "retry" where a master says the offset moved). */
  private pullCode(result: GetMessageResult, offset: number): PullCode {
    switch (result.status) {
      case "FOUND":
        return "FOUND";
      case "NO_MESSAGE_IN_QUEUE":
      case "NO_MATCHED_LOGIC_QUEUE":
        return offset !== 0 ? this.offsetMoved() : "NO_NEW_MSG";
      case "OFFSET_OVERFLOW_ONE":
        return "NO_NEW_MSG";
      case "OFFSET_OVERFLOW_BADLY":
      case "OFFSET_TOO_SMALL":
        return this.offsetMoved();
    }
  }

  /** PULL_OFFSET_MOVED on a master; a slave (offsetCheckInSlave off) says PULL_RETRY_IMMEDIATELY instead, so it never moves a consumer's offset. */
  private offsetMoved(): PullCode {
    return this.isSlave ? "NO_MATCHED_MSG" : "OFFSET_ILLEGAL";
  }

  private pullResponse(request: PullMessageRequest, code: PullCode, result: GetMessageResult | null): PullMessageResponse {
    return {
      kind: "PULL_MESSAGE_RESPONSE",
      requestId: request.requestId,
      code,
      ranges: code === "FOUND" && result !== null ? result.ranges : [],
      nextBeginOffset: result?.nextBeginOffset ?? request.queueOffset,
      minOffset: result?.minOffset ?? 0,
      maxOffset: result?.maxOffset ?? 0,
      suggestWhichBrokerId: MASTER_ID,
    };
  }

  private persistOffsets(): void {
    this.offsets!.persist();
    this.node!.after(this.spec.config.flushConsumerOffsetInterval * NS_PER_MS, () => this.persistOffsets());
  }

  private scanChannels(): void {
    for (const endpoint of this.consumers!.expire(this.node!.now)) endpoint.close();
    this.node!.after(CHANNEL_SCAN_NS, () => this.scanChannels());
  }
}
