/**
 * A slave's side of master/slave replication (DefaultHAClient): it
 * connects to its master's HA address once it knows it (the NameServer's
 * answer to the slave's registration carries it), reports the end of its
 * commit log at once and after each frame it appends (and at least every
 * haSendHeartbeatInterval), and appends what the master sends at the same
 * physical offsets. A frame that does not start at the slave's log end
 * ("master pushed offset not equal the max phy offset in slave") closes
 * the connection; so does reading nothing for haHousekeepingInterval. It
 * reconnects every 5 s (the client thread's wait after a failed connect).
 *
 * A slave never becomes a master in classic master/slave: if its master
 * is gone, it serves reads of what it has and waits.
 */
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { RocketBrokerConfig } from "./config.js";
import { HA_PORT, HA_TRAFFIC, haBytesOf, type HaMessage, type HaReport } from "./ha-protocol.js";
import type { MessageStore } from "./message-store.js";

const NS_PER_MS = 1_000_000;
/** DefaultHAClient waits 5 s after a failed connect before trying again. */
const RECONNECT_NS = 5_000 * NS_PER_MS;

export class HaClient {
  private masterNode: string | null = null;
  private endpoint: Endpoint | null = null;
  private isConnecting = false;
  private lastReadNs = 0;
  private lastReportNs = 0;
  private reportedOffset = -1;
  private readonly onTickBound = (): void => this.onTick();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    private readonly store: MessageStore,
    private readonly config: RocketBrokerConfig,
  ) {}

  /** The master as last learned (updateHaMasterAddress); a change drops the current connection. */
  setMaster(masterNode: string | null): void {
    if (masterNode === this.masterNode) return;
    this.masterNode = masterNode;
    this.closeConnection();
    this.connect();
  }

  get isConnected(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  start(): void {
    this.node.after(this.config.haSendHeartbeatInterval * NS_PER_MS, this.onTickBound);
  }

  private connect(): void {
    if (this.masterNode === null || this.endpoint !== null || this.isConnecting) return;
    this.isConnecting = true;
    const endpoint = this.world.net.connect(this.node, this.world.node(this.masterNode), HA_PORT, HA_TRAFFIC, {
      onOpen: (opened) => this.onOpen(opened),
      onData: (from, payload) => {
        if (from === this.endpoint) this.onData(payload as HaMessage);
      },
      onClose: (closed) => {
        if (closed === this.endpoint || (this.isConnecting && closed === endpoint)) this.onLost();
      },
    });
    this.endpoint = endpoint;
  }

  private onOpen(endpoint: Endpoint): void {
    if (endpoint !== this.endpoint) return;
    this.isConnecting = false;
    this.lastReadNs = this.node.now;
    this.reportedOffset = -1;
    this.report();
  }

  private onData(message: HaMessage): void {
    if (message.kind !== "ha-data") return;
    this.lastReadNs = this.node.now;
    if (message.records.length === 0) return;
    const maxOffset = this.store.commitLog.maxOffset;
    if (message.offset !== maxOffset) {
      this.world.kernel.marks.hit("rocketmq.ha.offset-mismatch");
      this.dropAndRetry();
      return;
    }
    const firstOffset = message.records[0]!.physicalOffset;
    // A put that did not fit the master's mapped file went to the next; the blank that filled the old one's end comes before it.
    if (firstOffset !== maxOffset && !this.store.commitLog.isBlankTo(firstOffset)) {
      // The master's log has no message starting where the slave's ends: the master lost what the slave had copied and
      // wrote new messages over those offsets. The real slave would append the master's bytes from the middle of a
      // message (DefaultHAClient checks only the offsets); the model cannot hold half a message, so it refuses the frame.
      this.world.kernel.marks.hit("rocketmq.ha.misaligned");
      this.dropAndRetry();
      return;
    }
    if (this.store.appendCopies(message.records) === "disk-full") return;
    this.report();
  }

  /** Tells the master how far the log goes, if that changed or a heartbeat is due. */
  private report(): void {
    const endpoint = this.endpoint;
    if (endpoint === null || !endpoint.isOpen) return;
    const maxOffset = this.store.commitLog.maxOffset;
    const isDue = this.node.now - this.lastReportNs >= this.config.haSendHeartbeatInterval * NS_PER_MS;
    if (maxOffset === this.reportedOffset && !isDue) return;
    const report: HaReport = { kind: "ha-report", maxOffset };
    endpoint.send(report, haBytesOf(report));
    this.reportedOffset = maxOffset;
    this.lastReportNs = this.node.now;
  }

  private onTick(): void {
    if (this.isConnected && this.node.now - this.lastReadNs > this.config.haHousekeepingInterval * NS_PER_MS) {
      this.world.kernel.marks.hit("rocketmq.ha.master-silent");
      this.closeConnection();
    }
    if (this.endpoint === null) this.connect();
    else this.report();
    this.node.after(this.config.haSendHeartbeatInterval * NS_PER_MS, this.onTickBound);
  }

  private dropAndRetry(): void {
    this.closeConnection();
    this.node.after(RECONNECT_NS, () => this.connect());
  }

  private onLost(): void {
    this.endpoint = null;
    this.isConnecting = false;
    this.node.after(RECONNECT_NS, () => this.connect());
  }

  private closeConnection(): void {
    const endpoint = this.endpoint;
    this.endpoint = null;
    this.isConnecting = false;
    if (endpoint !== null) endpoint.close();
  }
}
