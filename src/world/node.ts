/**
 * A simulated machine running one process.
 *
 * Two kinds of work belong to a node, each in its own scheduler group:
 * - the *process* (the broker software): its timers, the deliveries of data
 *   to it, the completions of its disk requests. A process crash (kill -9)
 *   cancels the group: everything the old incarnation had in flight dies with
 *   it, without any callback asking "am I still alive?". A pause (GC, VM
 *   stall) suspends the group: due events are held and fire at resume.
 * - the *machine* (the OS): page-cache writeback, the NIC. It survives a
 *   process crash and dies only with a power loss.
 */
import { assert } from "../kernel/assert.js";
import type { EventFn, EventHandle } from "../kernel/event-queue.js";
import type { GroupId, Scheduler } from "../kernel/scheduler.js";
import type { DurationNs, TimeNs } from "../kernel/time.js";

export type NodeState = "up" | "crashed" | "paused";

/** How the node went down; decides what the disk keeps and what peers see. */
export type DownKind = "process-crash" | "power-loss";

/**
 * The software a node runs (a broker, a client host). `start` is called at
 * boot and again at every restart, after the disk has been recovered: it is
 * the process's recovery path and must rebuild its state from what the disk
 * holds, nothing else.
 */
export interface NodeSoftware {
  start(node: WorldNode): void;
  /**
   * An orderly stop is beginning (World.shutdown): the software may tell its
   * peers it is leaving. The process exits SHUTDOWN_GRACE_NS later — unless
   * this returns true, promising to call `exit` itself when its own shutdown
   * is done (a Kafka broker waits for the controller to move its
   * leaderships and flushes its logs); the service manager still kills it
   * SHUTDOWN_TIMEOUT_NS after the stop began.
   */
  shutdown?(node: WorldNode, exit: () => void): boolean | void;
}

export class WorldNode {
  readonly index: number;
  readonly name: string;
  /** Rack or availability zone, for placement decisions; "" when unset. */
  readonly rack: string;
  private readonly scheduler: Scheduler;
  readonly processGroup: GroupId;
  readonly machineGroup: GroupId;
  private stateNow: NodeState = "crashed";
  private machineUp = false;
  private incarnationNow = 0;
  private isFreshBootNow = false;
  software: NodeSoftware | null = null;

  constructor(options: { index: number; name: string; rack?: string; scheduler: Scheduler }) {
    this.index = options.index;
    this.name = options.name;
    this.rack = options.rack ?? "";
    this.scheduler = options.scheduler;
    this.processGroup = options.scheduler.newGroup();
    this.machineGroup = options.scheduler.newGroup();
  }

  get state(): NodeState {
    return this.stateNow;
  }

  get isUp(): boolean {
    return this.stateNow === "up";
  }

  /** True while the process exists (up or paused); a paused process keeps its sockets. */
  get isProcessAlive(): boolean {
    return this.stateNow !== "crashed";
  }

  /** True while the machine has power (the OS answers even if the process crashed). */
  get isMachineUp(): boolean {
    return this.machineUp;
  }

  /** This process is the first since the machine powered on (the OS booted with it, as statd's SM_NOTIFY knows). */
  get isFreshBoot(): boolean {
    return this.isFreshBootNow;
  }

  /** Process starts so far; timers and connections belong to one incarnation. */
  get incarnation(): number {
    return this.incarnationNow;
  }

  get now(): TimeNs {
    return this.scheduler.now;
  }

  /** A process timer: dies with this incarnation, is held while the node is paused. */
  after(delayNs: DurationNs, fn: EventFn, arg?: unknown): EventHandle {
    this.assertScheduling();
    return this.scheduler.after(delayNs, fn, arg, this.processGroup);
  }

  at(timeNs: TimeNs, fn: EventFn, arg?: unknown): EventHandle {
    this.assertScheduling();
    return this.scheduler.at(timeNs, fn, arg, this.processGroup);
  }

  cancel(handle: EventHandle): boolean {
    return this.scheduler.cancel(handle);
  }

  /** Machine-level (OS) work: survives process crashes, dies with power. */
  afterOnMachine(delayNs: DurationNs, fn: EventFn, arg?: unknown): EventHandle {
    if (!(this.machineUp)) assert(false, `node ${this.name}: machine work scheduled while powered off`);
    return this.scheduler.after(delayNs, fn, arg, this.machineGroup);
  }

  // Lifecycle transitions below are driven by World, which also tells the
  // network and the disk; call them through World, not directly.

  markBooted(): void {
    assert(this.stateNow === "crashed", `node ${this.name}: boot while ${this.stateNow}`);
    this.isFreshBootNow = !this.machineUp;
    this.machineUp = true;
    this.stateNow = "up";
    this.incarnationNow++;
  }

  markDown(kind: DownKind): void {
    assert(this.stateNow !== "crashed", `node ${this.name}: ${kind} while already crashed`);
    this.scheduler.cancelGroup(this.processGroup);
    if (kind === "power-loss") {
      this.scheduler.cancelGroup(this.machineGroup);
      this.machineUp = false;
    }
    this.stateNow = "crashed";
  }

  /** A power loss of a machine whose process already crashed. */
  markPowerOff(): void {
    assert(this.stateNow === "crashed", `node ${this.name}: power off while ${this.stateNow}`);
    this.scheduler.cancelGroup(this.machineGroup);
    this.machineUp = false;
  }

  markPaused(): void {
    assert(this.stateNow === "up", `node ${this.name}: pause while ${this.stateNow}`);
    this.scheduler.suspendGroup(this.processGroup);
    this.stateNow = "paused";
  }

  markResumed(): void {
    assert(this.stateNow === "paused", `node ${this.name}: resume while ${this.stateNow}`);
    this.stateNow = "up";
    this.scheduler.resumeGroup(this.processGroup);
  }

  private assertScheduling(): void {
    // A paused process cannot run code, but the world may still schedule on its
    // behalf (a delivery); a crashed one has no code left to schedule anything.
    if (this.stateNow === "crashed") assert(false, `node ${this.name}: process timer scheduled while crashed`);
  }
}
