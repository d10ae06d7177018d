/**
 * How a link notices a silent peer by ticks (reconnecting-link.ts; RabbitMQ's
 * two ways below): not from the socket (TCP keeps a
 * connection across a partition, see world/connection.ts) but from ticks.
 * Every `intervalNs` the monitor sends a tick if nothing else was written
 * since the last check, and counts a silent interval if nothing was read;
 * after `silentIntervalsMax` silent intervals in a row the peer is declared
 * gone.
 *
 * - Erlang distribution (dist_util's con_loop): interval net_ticktime / 4,
 *   four silent intervals: a node is down after net_ticktime to 5/4 of it
 *   of silence (45–75 s at the default 60 s, per the Erlang docs).
 * - AMQP heartbeats (rabbit_heartbeat): interval heartbeat / 2, two missed
 *   heartbeats: a client connection is dead after one to one and a half
 *   heartbeat timeouts of silence.
 *
 * A paused process runs no checks and sends no ticks: its peers declare it
 * gone, and it finds out when it resumes (the suspend/resume split-brain the
 * RabbitMQ docs describe).
 */
import { NO_EVENT, type EventHandle } from "../kernel/index.js";
import type { WorldNode } from "./node.js";

/** rabbit_heartbeat: a heartbeat frame every timeout / 2; two missed and the peer is gone. */
export const HEARTBEATS_PER_TIMEOUT = 2;
/** dist_util: a tick every net_ticktime / 4; four silent ticks and the peer is down. */
export const TICKS_PER_TICKTIME = 4;

export interface TickMonitorOwner {
  /** Sends a tick (false if the connection cannot take it now). */
  sendTick(): boolean;
  /** Nothing came from the peer for silentIntervalsMax intervals. */
  onSilent(): void;
}

export class TickMonitor {
  private timer: EventHandle = NO_EVENT;
  private hasRead = false;
  private hasWritten = false;
  private silentIntervals = 0;
  private readonly onCheckBound = (): void => this.onCheck();

  constructor(
    private readonly node: WorldNode,
    private readonly intervalNs: number,
    private readonly silentIntervalsMax: number,
    private readonly owner: TickMonitorOwner,
  ) {}

  /** Starts watching a connection that just opened. */
  start(): void {
    this.stop();
    this.hasRead = true;
    this.hasWritten = false;
    this.silentIntervals = 0;
    this.timer = this.node.after(this.intervalNs, this.onCheckBound);
  }

  stop(): void {
    if (this.timer !== NO_EVENT) this.node.cancel(this.timer);
    this.timer = NO_EVENT;
  }

  noteRead(): void {
    this.hasRead = true;
  }

  noteWrite(): void {
    this.hasWritten = true;
  }

  private onCheck(): void {
    this.timer = NO_EVENT;
    this.silentIntervals = this.hasRead ? 0 : this.silentIntervals + 1;
    this.hasRead = false;
    if (this.silentIntervals >= this.silentIntervalsMax) return this.owner.onSilent();
    if (!this.hasWritten) this.owner.sendTick();
    this.hasWritten = false;
    this.timer = this.node.after(this.intervalNs, this.onCheckBound);
  }
}
