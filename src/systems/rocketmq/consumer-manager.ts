/**
 * Which clients are in which consumer group, as a broker knows it
 * (broker/.../client/ConsumerManager): a client's heartbeat registers its
 * groups on the connection it came by; the connection's close unregisters
 * it (ClientHousekeepingService), as does a heartbeat missing for 120 s
 * (scanNotActiveChannel every 10 s). A change of a group's members is
 * announced to the group's other clients (NOTIFY_CONSUMER_IDS_CHANGED,
 * notifyConsumerIdsChangedEnable), which rebalance at once.
 */
import { compareStrings } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";

/** ConsumerManager's CHANNEL_EXPIRED_TIMEOUT: 120 s. */
export const CHANNEL_EXPIRED_NS = 120_000_000_000;

interface Member {
  endpoint: Endpoint;
  lastHeartbeatNs: number;
}

export class ConsumerManager {
  /** group → clientId → member, in registration order. */
  private readonly groups = new Map<string, Map<string, Member>>();

  constructor(private readonly notify: (group: string, endpoint: Endpoint) => void) {}

  /** A heartbeat: registers (or refreshes) the client in each group; a new member is announced to the others. */
  heartbeat(clientId: string, groups: readonly string[], endpoint: Endpoint, nowNs: number): void {
    for (const group of groups) {
      let members = this.groups.get(group);
      if (members === undefined) {
        members = new Map();
        this.groups.set(group, members);
      }
      const member = members.get(clientId);
      const isNew = member === undefined || member.endpoint !== endpoint;
      members.set(clientId, { endpoint, lastHeartbeatNs: nowNs });
      if (isNew) this.announce(group, clientId);
    }
  }

  /** The group's client ids, sorted (what GET_CONSUMER_LIST_BY_GROUP answers). */
  clientIds(group: string): string[] {
    return [...(this.groups.get(group)?.keys() ?? [])].sort(compareStrings);
  }

  /** A connection closed: its clients leave their groups. */
  onClose(endpoint: Endpoint): void {
    for (const [group, members] of this.groups) {
      for (const [clientId, member] of [...members]) {
        if (member.endpoint !== endpoint) continue;
        members.delete(clientId);
        this.announce(group, clientId);
      }
    }
  }

  /** scanNotActiveChannel: members silent for CHANNEL_EXPIRED_NS leave (their connections are closed by the caller). */
  expire(nowNs: number): Endpoint[] {
    const closed: Endpoint[] = [];
    for (const [group, members] of this.groups) {
      for (const [clientId, member] of [...members]) {
        if (nowNs - member.lastHeartbeatNs <= CHANNEL_EXPIRED_NS) continue;
        members.delete(clientId);
        closed.push(member.endpoint);
        this.announce(group, clientId);
      }
    }
    return closed;
  }

  private announce(group: string, changed: string): void {
    for (const [clientId, member] of this.groups.get(group) ?? []) if (clientId !== changed) this.notify(group, member.endpoint);
  }
}
