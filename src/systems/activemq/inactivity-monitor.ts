/**
 * The broker side of ActiveMQ's InactivityMonitor: every 10 s it closes each
 * connection not heard from for maxInactivityDuration (30 s; clients send a
 * KeepAliveInfo every 10 s when idle), which is how a broker learns that a
 * client's machine died or the network between them went (activemq-facts.md
 * §6). One check timer per broker process, armed while it accepts clients.
 */
import type { WorldNode } from "../../world/node.js";
import type { ClientConnection } from "./broker-connection.js";

const NS_PER_SECOND = 1_000_000_000;
/** maxInactivityDuration 30 s, read side checked every 10 s. */
const MAX_INACTIVITY_NS = 30 * NS_PER_SECOND;
const INACTIVITY_CHECK_NS = 10 * NS_PER_SECOND;

/** What the monitor asks of its broker. */
export interface InactivityHost {
  isAccepting(): boolean;
  /** The connections now, in the order they were accepted. */
  connections(): Iterable<ClientConnection>;
  /** A connection went silent too long: the broker drops it (the monitor closes its endpoint after). */
  onSilent(connection: ClientConnection): void;
  mark(name: string): void;
}

export class InactivityMonitor {
  private isArmed = false;
  private node: WorldNode | null = null;
  private readonly onCheckBound = (): void => this.onCheck();

  constructor(private readonly host: InactivityHost) {}

  /** A new process: the last one's timer died with it. */
  reset(node: WorldNode): void {
    this.node = node;
    this.isArmed = false;
  }

  /** The broker accepts clients: checks run from now (once armed, the timer keeps itself going). */
  arm(): void {
    if (this.isArmed) return;
    this.isArmed = true;
    this.node!.after(INACTIVITY_CHECK_NS, this.onCheckBound);
  }

  private onCheck(): void {
    if (!this.host.isAccepting()) {
      this.isArmed = false;
      return;
    }
    const now = this.node!.now;
    for (const connection of [...this.host.connections()]) {
      if (now - connection.heardNs < MAX_INACTIVITY_NS) continue;
      this.host.mark("activemq.broker.inactivity-timeout");
      this.host.onSilent(connection);
      connection.endpoint.close();
    }
    this.node!.after(INACTIVITY_CHECK_NS, this.onCheckBound);
  }
}
