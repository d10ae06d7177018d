/**
 * The NameServer's route tables (RouteInfoManager): which broker groups
 * exist and where their members run, which queues each group has of each
 * topic, and when each broker last registered. Memory only: a NameServer
 * keeps nothing on disk, and a restarted one knows nothing until the
 * brokers register again (every 30 s).
 *
 * Source (apache/rocketmq, 5.x):
 * namesrv/src/main/java/org/apache/rocketmq/namesrv/routeinfo/RouteInfoManager.java
 * (registerBroker, unRegisterBroker, cleanTopicByUnRegisterRequests,
 * onChannelDestroy, setupUnRegisterRequest, scanNotActiveBroker,
 * pickupTopicRouteData).
 *
 * What is modelled, and how it differs:
 * - A register replaces the member's address under its brokerId (after
 *   dropping the same address under another id: a slave switched to
 *   master), refreshes its live entry (time, timeout, the connection it
 *   came over, its HA address), and, from a master, writes the group's
 *   queue data for every topic it lists. In 5.x a slave that is the lowest
 *   id of its group (the master is not registered) writes them too
 *   ("prime slave"); a 4.x broker, which sends no enableActingMaster,
 *   never does, and 4.x's NameServer (rocketmq-all-4.9.8) takes queue data
 *   from the master alone. So after a NameServer restart with a dead
 *   master, a 5.x route still lists the group (readable from its slave),
 *   a 4.x route does not.
 * - Queue data is rewritten at every master registration; RocketMQ skips
 *   the rewrite when the broker's topic-config DataVersion is unchanged,
 *   which gives the same tables here, where only brokers write them.
 *   DataVersion's stateVersion conflict check, single-topic registration,
 *   filter servers, static-topic mappings, deleteTopicWithBrokerRegistration
 *   (false by default), the acting-master rewrite of routes
 *   (supportActingMaster, false by default) and notifyMinBrokerIdChanged
 *   (false by default) are not modelled.
 * - Unregistration (by request, by a closed channel, by the expiry scan) is
 *   applied at once; 5.x queues it to BatchUnregistrationService, a thread
 *   that applies it within moments.
 * - Brokers are keyed by address (their node name) alone: RocketMQ keys the
 *   live table by (cluster, address), the same thing when addresses are
 *   unique, as node names are.
 */
import { compareStrings } from "../../kernel/index.js";
import type { BrokerRegistration, RegisterBrokerResult } from "./namesrv-protocol.js";
import { MASTER_ID, PERM_WRITE, type BrokerData, type QueueData, type TopicRouteData } from "./route.js";

interface BrokerGroup {
  cluster: string;
  brokerName: string;
  /** brokerId → address. */
  addrs: Map<number, string>;
  /** BrokerData.enableActingMaster: a 5.x broker that asked for slave acting master. */
  enableActingMaster: boolean;
}

interface BrokerLiveInfo<Channel> {
  clusterName: string;
  lastUpdateNs: number;
  heartbeatTimeoutNs: number;
  /** The connection its latest registration came over. */
  channel: Channel;
  haServerAddr: string;
}

export interface RegisterOutcome {
  result: RegisterBrokerResult;
  /** The member was not registered under this id before (registerFirst). */
  isFirst: boolean;
  /** The registration wrote the group's queue data (a master, or a 5.x prime slave). */
  hasWrittenQueues: boolean;
}

export interface UnregisterOutcome {
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  /** It was the group's last member: the group and its queue data are gone. */
  isBrokerNameRemoved: boolean;
  /** Topics left with no queue data at all, hence gone from the tables. */
  topicsRemoved: string[];
}

/** One broker leaving (UnRegisterBrokerRequestHeader). */
export interface BrokerIdentity {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
}

export class RouteInfoManager<Channel> {
  /** brokerName → its group. */
  private readonly brokerAddrTable = new Map<string, BrokerGroup>();
  /** clusterName → brokerNames. */
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  /** topic → brokerName → queue data. */
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  /** brokerAddr → when it last registered, and over which connection. */
  private readonly brokerLiveTable = new Map<string, BrokerLiveInfo<Channel>>();

  /** RouteInfoManager.registerBroker, with the request's connection and the time it is handled. */
  registerBroker(registration: BrokerRegistration, channel: Channel, nowNs: number, defaultTimeoutNs: number): RegisterOutcome {
    const { clusterName, brokerAddr, brokerName, brokerId } = registration;
    let names = this.clusterAddrTable.get(clusterName);
    if (names === undefined) this.clusterAddrTable.set(clusterName, (names = new Set()));
    names.add(brokerName);
    let group = this.brokerAddrTable.get(brokerName);
    let isFirst = false;
    if (group === undefined) {
      group = { cluster: clusterName, brokerName, addrs: new Map(), enableActingMaster: false };
      this.brokerAddrTable.set(brokerName, group);
      isFirst = true;
    }
    const isOldVersionBroker = registration.enableActingMaster === undefined;
    group.enableActingMaster = registration.enableActingMaster === true;
    // One address has one id: a slave that became master is dropped from its old id first.
    for (const [id, addr] of [...group.addrs]) if (addr === brokerAddr && id !== brokerId) group.addrs.delete(id);
    const oldAddr = group.addrs.get(brokerId);
    group.addrs.set(brokerId, brokerAddr);
    isFirst = isFirst || oldAddr === undefined;
    const isMaster = brokerId === MASTER_ID;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && brokerId === Math.min(...group.addrs.keys());
    if (isMaster || isPrimeSlave) {
      // A prime slave of a group asking for acting master takes no writes.
      const permMask = isPrimeSlave && group.enableActingMaster ? ~PERM_WRITE : ~0;
      for (const topic of registration.topics) {
        this.putQueueData(topic.name, { brokerName, readQueueNums: topic.readQueueNums, writeQueueNums: topic.writeQueueNums, perm: topic.perm & permMask });
      }
    }
    this.brokerLiveTable.set(brokerAddr, {
      clusterName,
      lastUpdateNs: nowNs,
      heartbeatTimeoutNs: registration.heartbeatTimeoutMillis === undefined ? defaultTimeoutNs : registration.heartbeatTimeoutMillis * 1_000_000,
      channel,
      haServerAddr: registration.haServerAddr,
    });
    return { result: this.resultFor(group, brokerId), isFirst, hasWrittenQueues: isMaster || isPrimeSlave };
  }

  /**
   * RouteInfoManager.unRegisterBroker for one broker: out of the live
   * table; its address out of its group; the group out of the tables when
   * no member is left, and with it the group's queue data of every topic
   * (a topic with no queue data left is gone). A group that keeps members
   * keeps its queue data (even with no master: its slaves serve reads),
   * except that a 5.x group asking for acting master loses write perm when
   * no master is left.
   */
  unregisterBroker(broker: BrokerIdentity): UnregisterOutcome {
    const { brokerAddr, brokerName } = broker;
    this.brokerLiveTable.delete(brokerAddr);
    const group = this.brokerAddrTable.get(brokerName);
    let isBrokerNameRemoved = false;
    if (group !== undefined) {
      for (const [id, addr] of [...group.addrs]) if (addr === brokerAddr) group.addrs.delete(id);
      if (group.addrs.size === 0) {
        this.brokerAddrTable.delete(brokerName);
        isBrokerNameRemoved = true;
        const names = this.clusterAddrTable.get(broker.clusterName);
        names?.delete(brokerName);
        if (names !== undefined && names.size === 0) this.clusterAddrTable.delete(broker.clusterName);
      }
    }
    const topicsRemoved = isBrokerNameRemoved ? this.removeQueueDataOf(brokerName) : [];
    if (!isBrokerNameRemoved && group !== undefined && group.enableActingMaster && !group.addrs.has(MASTER_ID)) this.wipeWritePerm(brokerName);
    return { brokerAddr, brokerName, brokerId: broker.brokerId, isBrokerNameRemoved, topicsRemoved };
  }

  /** The broker whose latest registration came over `channel` (onChannelDestroy(Channel)'s search), or null. */
  brokerOfChannel(channel: Channel): string | null {
    for (const [brokerAddr, live] of this.brokerLiveTable) if (live.channel === channel) return brokerAddr;
    return null;
  }

  /**
   * onChannelDestroy(BrokerAddrInfo): finds the broker's group and id by
   * its address in its cluster (setupUnRegisterRequest) and unregisters it;
   * null when no group lists the address.
   */
  onChannelDestroy(brokerAddr: string): UnregisterOutcome | null {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live === undefined) return null;
    for (const group of this.brokerAddrTable.values()) {
      if (group.cluster !== live.clusterName) continue;
      for (const [brokerId, addr] of group.addrs) {
        if (addr === brokerAddr) return this.unregisterBroker({ clusterName: live.clusterName, brokerAddr, brokerName: group.brokerName, brokerId });
      }
    }
    return null;
  }

  /** scanNotActiveBroker's test: brokers whose lastUpdate + heartbeatTimeout is before now, with the connection to close. */
  expiredBrokers(nowNs: number): { brokerAddr: string; channel: Channel; lastUpdateNs: number }[] {
    const expired: { brokerAddr: string; channel: Channel; lastUpdateNs: number }[] = [];
    for (const [brokerAddr, live] of this.brokerLiveTable) {
      if (live.lastUpdateNs + live.heartbeatTimeoutNs < nowNs) expired.push({ brokerAddr, channel: live.channel, lastUpdateNs: live.lastUpdateNs });
    }
    return expired;
  }

  /**
   * pickupTopicRouteData: the topic's queue data and the groups they name
   * that are still registered; null (TOPIC_NOT_EXIST) when the topic has no
   * queue data or none of its groups is registered. Lists in brokerName
   * order (RocketMQ's follow its HashMaps; clients sort them).
   */
  pickupTopicRouteData(topic: string): TopicRouteData | null {
    const queueDataMap = this.topicQueueTable.get(topic);
    if (queueDataMap === undefined) return null;
    const brokerNames = [...queueDataMap.keys()].sort(compareStrings);
    const brokerDatas: BrokerData[] = [];
    for (const brokerName of brokerNames) {
      const group = this.brokerAddrTable.get(brokerName);
      if (group === undefined) continue;
      const brokerAddrs = [...group.addrs].map(([id, addr]): [number, string] => [id, addr]).sort((a, b) => a[0] - b[0]);
      brokerDatas.push({ cluster: group.cluster, brokerName, brokerAddrs });
    }
    if (brokerDatas.length === 0) return null;
    return { queueDatas: brokerNames.map((brokerName) => ({ ...queueDataMap.get(brokerName)! })), brokerDatas };
  }

  /** Registered broker addresses, in code-unit order. */
  liveBrokers(): string[] {
    return [...this.brokerLiveTable.keys()].sort(compareStrings);
  }

  /** When `brokerAddr` last registered (null: not in the live table). */
  lastUpdateNsOf(brokerAddr: string): number | null {
    return this.brokerLiveTable.get(brokerAddr)?.lastUpdateNs ?? null;
  }

  /** For a slave, its master while the master is registered and live: RegisterBrokerResult. */
  private resultFor(group: BrokerGroup, brokerId: number): RegisterBrokerResult {
    if (brokerId === MASTER_ID) return { masterAddr: null, haServerAddr: null };
    const masterAddr = group.addrs.get(MASTER_ID);
    const masterLive = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
    if (masterAddr === undefined || masterLive === undefined) return { masterAddr: null, haServerAddr: null };
    return { masterAddr, haServerAddr: masterLive.haServerAddr };
  }

  /** createAndUpdateQueueData. */
  private putQueueData(topic: string, queueData: QueueData): void {
    let queueDataMap = this.topicQueueTable.get(topic);
    if (queueDataMap === undefined) this.topicQueueTable.set(topic, (queueDataMap = new Map()));
    queueDataMap.set(queueData.brokerName, queueData);
  }

  /** cleanTopicByUnRegisterRequests for a removed group. */
  private removeQueueDataOf(brokerName: string): string[] {
    const topicsRemoved: string[] = [];
    for (const [topic, queueDataMap] of [...this.topicQueueTable]) {
      queueDataMap.delete(brokerName);
      if (queueDataMap.size === 0) {
        this.topicQueueTable.delete(topic);
        topicsRemoved.push(topic);
      }
    }
    return topicsRemoved;
  }

  private wipeWritePerm(brokerName: string): void {
    for (const queueDataMap of this.topicQueueTable.values()) {
      const queueData = queueDataMap.get(brokerName);
      if (queueData !== undefined) queueDataMap.set(brokerName, { ...queueData, perm: queueData.perm & ~PERM_WRITE });
    }
  }
}
