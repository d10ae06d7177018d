/**
 * A small world for testing RaftMember: N nodes, one member of group "g" per
 * node, datagrams as the transport, a client that proposes numbers 1, 2, 3,
 * ... to whoever leads, and checkers that watch every incarnation:
 * - state-machine safety: no two applies at one index differ, across members
 *   and incarnations (`committed` holds the first command applied at each);
 * - per incarnation, applies come in strictly increasing index order;
 * - election safety: at most one leader per term;
 * - leader append-only: while a member leads in a term, its log only grows
 *   (entries are immutable objects, so identity is compared);
 * - every live member's invariants (checkInvariants) and its committed prefix
 *   against `committed`, at every tick;
 * - durability, read from the disk model itself: when an entry is applied, a
 *   quorum of members hold it on the device (acks and the leader's own count
 *   come only after fsync); when a member sends anything but a pre-vote, its
 *   term — and for a granted vote or a RequestVote, its vote — is on the device.
 * Violations are collected as strings; simulator assertions throw.
 */
import { Kernel } from "../kernel/index.js";
import { ROOT_GROUP } from "../kernel/index.js";
import type { DatagramHandler, NetworkOptions } from "../world/network.js";
import type { NodeSoftware, WorldNode } from "../world/node.js";
import { World } from "../world/world.js";
import { RaftMember, type RaftHost, type RaftRole, type RaftTiming } from "./raft-member.js";
import type { RaftLogEntry, RaftMessage } from "./raft-messages.js";

export const RAFT_PORT = "raft";
export const RAFT_TRAFFIC_CLASS = "cluster";
export const GROUP = "g";
const COMMAND_BYTES = 100;

export interface RaftHarnessOptions {
  seed: number | string;
  nodes: number;
  timing?: Partial<RaftTiming>;
  /** The client proposes and the checkers run this often (default 20 ms). */
  tickNs?: number;
  /** E.g. datagram loss, duplication and reordering. */
  network?: Partial<NetworkOptions>;
  /** Members count entries once written (DLedger), not once fsynced. */
  isAckOnWrite?: boolean;
}

interface Applied {
  index: number;
  command: number;
}

export class RaftHarness {
  readonly kernel: Kernel;
  readonly world: World;
  readonly names: readonly string[];
  readonly violations: string[] = [];
  /** index -> the command applied there, by anyone, in any incarnation. */
  readonly committed = new Map<number, number>();
  /** term -> the member that led it. */
  readonly leaders = new Map<number, string>();
  /** Per node, this incarnation's applies in order. */
  readonly applied: Applied[][];
  /** Per node, the highest matchIndex this incarnation acknowledged as a follower. */
  readonly acked: number[];
  /** Proposals the client made: command -> index and term at which the leader took it. */
  readonly proposals = new Map<number, { index: number; term: number; by: string }>();
  isClientOn = false;
  private nextCommand = 1;
  private readonly members: (RaftMember<number> | null)[];
  private readonly leaderLogs: ({ term: number; entries: readonly RaftLogEntry<number>[] } | null)[];
  private readonly timing: RaftTiming;
  private readonly tickNs: number;
  private readonly isAckOnWrite: boolean;
  private readonly onTickBound = (): void => this.onTick();

  constructor(options: RaftHarnessOptions) {
    this.kernel = new Kernel({ seed: options.seed });
    this.world = new World({ kernel: this.kernel, nodes: options.nodes, ...(options.network === undefined ? {} : { network: options.network }) });
    this.names = this.world.nodes.map((node) => node.name);
    this.isAckOnWrite = options.isAckOnWrite ?? false;
    this.timing = {
      electionTimeoutNsMin: 1_000_000_000,
      electionTimeoutNsMax: 2_000_000_000,
      heartbeatIntervalNs: 100_000_000,
      appendEntriesBatchMax: 128,
      ...options.timing,
    };
    this.tickNs = options.tickNs ?? 20_000_000;
    this.members = this.names.map(() => null);
    this.leaderLogs = this.names.map(() => null);
    this.applied = this.names.map(() => []);
    this.acked = this.names.map(() => 0);
    this.world.nodes.forEach((node, index) => {
      const software: NodeSoftware = { start: (started) => this.startMember(index, started) };
      this.world.install(node.name, software);
    });
  }

  boot(): void {
    this.world.boot();
    this.kernel.scheduler.after(this.tickNs, this.onTickBound, undefined, ROOT_GROUP);
  }

  get now(): number {
    return this.kernel.now;
  }

  /** The member of this node's running (or paused) process, or null when it is down. */
  member(name: string): RaftMember<number> | null {
    const node = this.world.node(name);
    return node.isProcessAlive ? this.members[node.index]! : null;
  }

  /** The running leader with the highest term (an isolated old leader may still think it leads). */
  leader(): RaftMember<number> | null {
    let best: RaftMember<number> | null = null;
    for (const node of this.world.nodes) {
      const member = this.members[node.index]!;
      if (node.isUp && member !== null && member.role === "leader" && (best === null || member.term > best.term)) best = member;
    }
    return best;
  }

  runFor(durationNs: number): void {
    this.kernel.scheduler.run({ untilNs: this.now + durationNs });
  }

  /** Runs until the predicate holds (checked after every event) or maxNs pass; returns whether it holds. */
  runUntil(predicate: () => boolean, maxNs: number): boolean {
    if (predicate()) return true;
    this.kernel.scheduler.run({ untilNs: this.now + maxNs, until: predicate });
    return predicate();
  }

  /** Proposes the next number to the given member (default: the leader); null if there is none or it refused. */
  propose(to?: RaftMember<number>): { command: number; index: number } | null {
    const member = to ?? this.leader();
    if (member === null || !member.host.node.isUp) return null;
    const command = this.nextCommand++;
    const index = member.propose(command);
    if (typeof index !== "number") return null;
    this.proposals.set(command, { index, term: member.term, by: member.id });
    return { command, index };
  }

  /**
   * With every fault healed: waits for a leader, proposes a marker and waits
   * until every member has applied it. False if that does not happen in maxNs.
   */
  converge(maxNs: number): boolean {
    this.isClientOn = false;
    const deadline = this.now + maxNs;
    while (this.now < deadline) {
      if (!this.runUntil(() => this.leader() !== null, deadline - this.now)) return false;
      const leader = this.leader()!;
      const marker = this.propose(leader);
      if (marker === null) {
        this.runFor(this.tickNs);
        continue;
      }
      const isApplied = (): boolean =>
        this.names.every((name) => {
          const member = this.member(name);
          return member !== null && member.commitIndex >= marker.index && member.entries()[marker.index - 1]!.command === marker.command;
        });
      if (this.runUntil(() => isApplied() || leader.role !== "leader", deadline - this.now) && isApplied()) return true;
    }
    return false;
  }

  /** After converge(): every member agrees with the leader, which holds every entry ever applied. */
  checkConverged(): void {
    const leader = this.leader();
    if (leader === null) return void this.violations.push("no leader after convergence");
    const log = leader.entries();
    for (const [index, command] of this.committed) {
      if (log[index - 1]?.command !== command) this.violations.push(`committed ${command}@${index} lost: leader ${leader.id} has ${log[index - 1]?.command}`);
    }
    for (const name of this.names) {
      const member = this.member(name);
      if (member === null) return void this.violations.push(`${name} is down after convergence`);
      const entries = member.entries();
      for (let i = 0; i < member.commitIndex; i++) {
        if (entries[i]!.term !== log[i]?.term || entries[i]!.command !== log[i]?.command) this.violations.push(`${name} differs from ${leader.id} at ${i + 1}`);
      }
      const expected = log.slice(0, member.commitIndex).filter((entry) => entry.command !== null);
      const got = this.applied[this.world.node(name).index]!;
      const same = got.length === expected.length && got.every((applied, k) => applied.index === expected[k]!.index && applied.command === expected[k]!.command);
      if (!same) this.violations.push(`${name} applied ${got.length} commands, its committed log holds ${expected.length}`);
    }
  }

  /** Every checker, now. */
  check(): void {
    for (const node of this.world.nodes) {
      const member = this.members[node.index]!;
      if (member === null || !node.isProcessAlive) continue;
      member.checkInvariants();
      const entries = member.entries();
      for (let i = 0; i < member.commitIndex; i++) {
        const entry = entries[i]!;
        const command = this.committed.get(i + 1);
        if (entry.command !== null && command !== undefined && command !== entry.command) this.violations.push(`${node.name} committed ${entry.command}@${i + 1}, ${command} was applied there`);
      }
      const previous = this.leaderLogs[node.index]!;
      if (member.role !== "leader") {
        this.leaderLogs[node.index] = null;
        continue;
      }
      if (previous !== null && previous.term === member.term) {
        const isPrefix = previous.entries.length <= entries.length && previous.entries.every((entry, k) => entries[k] === entry);
        if (!isPrefix) this.violations.push(`leader ${node.name} rewrote its log in term ${member.term}`);
      }
      this.leaderLogs[node.index] = { term: member.term, entries: entries.slice() };
    }
  }

  // ------------------------------------------------------------ internals

  private onTick(): void {
    if (this.isClientOn) this.propose();
    this.check();
    this.kernel.scheduler.after(this.tickNs, this.onTickBound, undefined, ROOT_GROUP);
  }

  private startMember(index: number, node: WorldNode): void {
    const world = this.world;
    const name = node.name;
    this.applied[index] = [];
    this.acked[index] = 0;
    this.leaderLogs[index] = null;
    const host: RaftHost<number> = {
      node,
      disk: world.disk(name),
      // One stream per incarnation: stream names are unique per run.
      rng: this.kernel.rng.stream(`raft:${GROUP}:${name}:${node.incarnation}`),
      trace: this.kernel.trace,
      marks: this.kernel.marks,
      send: (to: string, message: RaftMessage<number>, bytes: number): void => {
        if (message.kind === "append-entries-reply" && message.success) this.acked[index] = Math.max(this.acked[index]!, message.matchIndex);
        this.checkMetaDurable(name, to, message);
        world.net.sendDatagram(node, world.node(to), RAFT_PORT, RAFT_TRAFFIC_CLASS, message, bytes);
      },
      apply: (at: number, term: number, command: number): void => this.onApply(index, at, term, command),
      onRoleChange: (role: RaftRole, term: number): void => this.onRoleChange(name, role, term),
    };
    const member = new RaftMember<number>({ group: GROUP, id: name, members: this.names, timing: this.timing, host, commandBytes: () => COMMAND_BYTES, isAckOnWrite: this.isAckOnWrite });
    this.members[index] = member;
    // Bindings die with the process: every incarnation binds again.
    const handler: DatagramHandler = { onDatagram: (_node, from, payload) => member.onMessage(from.name, payload as RaftMessage<number>) };
    world.net.bindDatagram(node, RAFT_PORT, handler);
    member.start();
    // Recovery must cut a torn record (a checksum failure) off, with everything after it.
    for (const file of ["log", "meta"]) {
      if (world.disk(name).open(`raft/${GROUP}/${name}/${file}`).records.some((record) => record.torn)) this.violations.push(`${name}: torn record in ${file} after recovery`);
    }
  }

  private onApply(nodeIndex: number, index: number, term: number, command: number): void {
    let copies = 0;
    for (const name of this.names) {
      const file = this.world.disk(name).open<RaftLogEntry<number>>(`raft/${GROUP}/${name}/log`);
      const record = file.durableRecordCount >= index ? file.recordsIn(index - 1, index)[0]!.value : null;
      if (record !== null && record.term === term && record.command === command) copies++;
    }
    if (copies < Math.floor(this.names.length / 2) + 1) this.violations.push(`${command}@${index} applied by ${this.names[nodeIndex]} with ${copies} durable copies`);
    const name = this.names[nodeIndex]!;
    const list = this.applied[nodeIndex]!;
    const last = list.length === 0 ? 0 : list[list.length - 1]!.index;
    if (index <= last) this.violations.push(`${name} applied index ${index} after ${last}`);
    list.push({ index, command });
    const known = this.committed.get(index);
    if (known === undefined) this.committed.set(index, command);
    else if (known !== command) this.violations.push(`${name} applied ${command}@${index}, ${known} was applied there before`);
  }

  /** The sender's term (and vote, where the message implies one) must be durable before it speaks. */
  private checkMetaDurable(name: string, to: string, message: RaftMessage<number>): void {
    if (message.kind === "pre-vote") return;
    const file = this.world.disk(name).open<{ term: number; votedFor: string | null }>(`raft/${GROUP}/${name}/meta`);
    const durable = file.recordsIn(0, file.durableRecordCount).map((record) => record.value);
    const term = durable.length === 0 ? 0 : durable[durable.length - 1]!.term;
    if (term < message.term) this.violations.push(`${name} sent ${message.kind} of term ${message.term} with term ${term} durable`);
    const voter = message.kind === "request-vote" ? name : message.kind === "request-vote-reply" && message.granted ? to : null;
    // A durable later term also binds: after a restart the member cannot vote in this term again.
    if (voter !== null && term === message.term && !durable.some((meta) => meta.term === message.term && meta.votedFor === voter)) {
      this.violations.push(`${name} sent ${message.kind} of term ${message.term} before its vote for ${voter} was durable`);
    }
  }

  private onRoleChange(name: string, role: RaftRole, term: number): void {
    if (role !== "leader") return;
    const known = this.leaders.get(term);
    if (known !== undefined && known !== name) this.violations.push(`two leaders in term ${term}: ${known} and ${name}`);
    this.leaders.set(term, name);
  }
}
