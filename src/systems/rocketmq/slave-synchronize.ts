/**
 * A slave's copy of its master's consumer offsets (broker/.../slave/
 * SlaveSynchronize.syncConsumerOffset, run by BrokerController every 10 s
 * after 3 s): it asks the master for the whole table and takes it as its
 * own, so a consumer that moves to the slave while the master is down
 * continues from (at most 10 s before) where it was. Offsets the consumers
 * commit to the slave in the meantime are overwritten at the next sync
 * once the master is back.
 */
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { brokerBytesOf, BROKER_PORT, CLIENT_TRAFFIC, type BrokerMessage } from "./broker-protocol.js";

const NS_PER_MS = 1_000_000;
const FIRST_SYNC_NS = 3_000 * NS_PER_MS;
const SYNC_PERIOD_NS = 10_000 * NS_PER_MS;

export class SlaveSynchronize {
  private master: string | null = null;
  private endpoint: Endpoint | null = null;
  private requestId = 1;
  private readonly onSyncBound = (): void => this.onSync();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    private readonly onOffsets: (offsets: ReadonlyMap<string, number>) => void,
  ) {}

  start(): void {
    this.node.after(FIRST_SYNC_NS, this.onSyncBound);
  }

  /** The master's address as the NameServer last told it. */
  setMaster(master: string | null): void {
    if (master === this.master) return;
    this.master = master;
    this.endpoint?.close();
    this.endpoint = null;
  }

  private onSync(): void {
    this.node.after(SYNC_PERIOD_NS, this.onSyncBound);
    if (this.master === null) return;
    const request: BrokerMessage = { kind: "GET_ALL_CONSUMER_OFFSET", requestId: this.requestId++ };
    if (this.endpoint !== null && this.endpoint.isOpen) {
      this.endpoint.send(request, brokerBytesOf(request));
      return;
    }
    if (this.endpoint !== null) return;
    const endpoint = this.world.net.connect(this.node, this.world.node(this.master), BROKER_PORT, CLIENT_TRAFFIC, {
      onOpen: (opened) => opened.send(request, brokerBytesOf(request)),
      onData: (from, payload) => {
        const message = payload as BrokerMessage;
        if (from === this.endpoint && message.kind === "GET_ALL_CONSUMER_OFFSET_RESPONSE") this.onOffsets(new Map(message.offsets));
      },
      onClose: (closed) => {
        if (closed === this.endpoint) this.endpoint = null;
      },
    });
    this.endpoint = endpoint;
  }
}
