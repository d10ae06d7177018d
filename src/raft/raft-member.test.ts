import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faultScheduleArbitrary } from "../faults/arbitrary.js";
import { describeFault } from "../faults/fault.js";
import type { FaultSchedule, FaultVerb } from "../faults/fault.js";
import { scheduleFaults } from "../faults/schedule.js";
import type { DatagramFaults } from "../world/network.js";
import { RaftHarness } from "./raft-harness.test-support.js";
import type { RaftMember } from "./raft-member.js";

const MS = 1_000_000;
const S = 1_000_000_000;
const LOSSY: DatagramFaults = {
  loss: { numerator: 1, denominator: 20 },
  duplicate: { numerator: 1, denominator: 20 },
  reorder: { numerator: 1, denominator: 5 },
  reorderDelay: { kind: "uniform", min: 0, max: 5 * MS },
};

function bootWithLeader(seed: number, nodes: number): { harness: RaftHarness; leader: RaftMember<number> } {
  const harness = new RaftHarness({ seed, nodes });
  harness.boot();
  expect(harness.runUntil(() => harness.leader() !== null, 10 * S)).toBe(true);
  return { harness, leader: harness.leader()! };
}

function commandsOf(harness: RaftHarness, name: string): number[] {
  return harness.applied[harness.world.node(name).index]!.map((applied) => applied.command);
}

describe("RaftMember", () => {
  it("elects one leader; proposals commit and apply in the same order on every member", () => {
    const { harness, leader } = bootWithLeader(1, 3);
    // Election timeouts are 1-2 s, the pre-vote and vote round trips well under one.
    expect(harness.now).toBeLessThan(3 * S);
    expect(harness.names.filter((name) => harness.member(name)!.role === "leader")).toEqual([leader.id]);
    harness.isClientOn = true;
    harness.runFor(2 * S);
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
    const reference = commandsOf(harness, leader.id);
    expect(reference.length).toBeGreaterThan(90);
    // With one leader throughout, every proposal committed, in proposal order.
    expect(reference.length).toBe(harness.proposals.size);
    expect(reference).toEqual([...reference].sort((a, b) => a - b));
    for (const name of harness.names) {
      expect(commandsOf(harness, name)).toEqual(reference);
      expect(harness.member(name)!.leaderId).toBe(leader.id);
      expect(harness.member(name)!.term).toBe(leader.term);
    }
    // The leader's no-op of its term is at the index after the log it was elected with (empty here).
    expect(leader.entries()[0]).toMatchObject({ index: 1, term: leader.term, command: null });
  });

  it("a leader crash elects a new leader of a higher term that keeps every committed entry; the old one catches up", () => {
    const { harness, leader: first } = bootWithLeader(2, 3);
    harness.isClientOn = true;
    harness.runFor(1 * S);
    const committedBefore = new Map(harness.committed);
    expect(committedBefore.size).toBeGreaterThan(30);
    harness.world.processCrash(first.id);
    expect(harness.runUntil(() => harness.leader() !== null && harness.leader()!.id !== first.id, 10 * S)).toBe(true);
    const second = harness.leader()!;
    expect(second.term).toBeGreaterThan(first.term);
    for (const [index, command] of committedBefore) expect(second.entries()[index - 1]!.command).toBe(command);
    harness.runFor(1 * S);
    harness.world.restart(first.id);
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
    const rejoined = harness.member(first.id)!;
    expect(rejoined.role).toBe("follower");
    expect(rejoined.leaderId).toBe(second.id);
    expect(commandsOf(harness, first.id)).toEqual(commandsOf(harness, second.id));
  });

  it("isAckOnWrite (DLedger): entries commit once a quorum has written them, before any fsync; the host's flush() makes them durable", () => {
    const harness = new RaftHarness({ seed: 4, nodes: 3, isAckOnWrite: true });
    harness.boot();
    expect(harness.runUntil(() => harness.leader() !== null, 10 * S)).toBe(true);
    harness.isClientOn = true;
    harness.runFor(1 * S);
    // Nobody flushes the log here: commits rest on the page cache alone, which the durability checker reports.
    expect(harness.committed.size).toBeGreaterThan(10);
    expect(harness.violations.some((violation) => violation.includes("durable copies"))).toBe(true);
    const name = harness.leader()!.id;
    const file = harness.world.disk(name).open(`raft/g/${name}/log`);
    expect(file.durableRecordCount).toBeLessThan(file.recordCount);
    harness.leader()!.log.flush();
    harness.isClientOn = false;
    harness.runFor(1 * S);
    expect(file.durableRecordCount).toBe(file.recordCount);
  });

  it("isAckOnWrite: a follower that lost acknowledged entries to a power loss is caught up again (its hint below what it acknowledged is believed)", () => {
    const harness = new RaftHarness({ seed: 4, nodes: 3, isAckOnWrite: true });
    harness.boot();
    expect(harness.runUntil(() => harness.leader() !== null, 10 * S)).toBe(true);
    harness.isClientOn = true;
    harness.runFor(1 * S);
    const follower = harness.names.find((name) => name !== harness.leader()!.id)!;
    const acked = harness.acked[harness.world.node(follower).index]!;
    expect(harness.world.powerLoss(follower)).toBe(true);
    expect(harness.world.restart(follower)).toBe(true);
    // Nothing was flushed: the follower comes back without what it acknowledged.
    expect(harness.member(follower)!.lastIndex).toBeLessThan(acked);
    harness.isClientOn = false;
    expect(harness.converge(10 * S)).toBe(true);
    expect(harness.member(follower)!.lastIndex).toBe(harness.leader()!.lastIndex);
    expect(harness.world.kernel.marks.count("raft.replicate.follower-lost-acked")).toBeGreaterThan(0);
  });

  it("a follower's power loss keeps every entry it acknowledged (acks come after fsync) and loses the rest", () => {
    const { harness, leader } = bootWithLeader(3, 3);
    const follower = harness.names.find((name) => name !== leader.id)!;
    const index = harness.world.node(follower).index;
    harness.isClientOn = true;
    harness.runFor(1 * S);
    // An instant when entries sit only in the page cache (their fsync has not reached the device).
    const file = harness.world.disk(follower).open(`raft/g/${follower}/log`);
    const isExposed = (): boolean => harness.acked[index]! > 10 && file.recordCount > file.durableRecordCount;
    expect(harness.runUntil(isExposed, 5 * S)).toBe(true);
    const before = harness.member(follower)!.entries().slice();
    const acked = harness.acked[index]!;
    expect(harness.world.powerLoss(follower)).toBe(true);
    expect(harness.world.restart(follower)).toBe(true);
    const recovered = harness.member(follower)!;
    expect(recovered.lastIndex).toBeGreaterThanOrEqual(acked);
    expect(recovered.lastIndex).toBeLessThan(before.length);
    for (let i = 0; i < acked; i++) expect(recovered.entries()[i]).toMatchObject({ term: before[i]!.term, command: before[i]!.command });
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
  });

  it("after a process crash, what the page cache still holds is fsynced again before it is acknowledged", () => {
    const { harness, leader } = bootWithLeader(9, 3);
    const [follower, other] = harness.names.filter((name) => name !== leader.id) as [string, string];
    // The leader and this follower are the only quorum, and the follower's fsyncs take ~175 ms.
    harness.world.partition({ kind: "isolate", nodes: [other] });
    harness.world.slowDisk(follower, 50);
    harness.isClientOn = true;
    harness.runFor(1 * S);
    // The follower holds the leader's whole log, its tail appended while an fsync was in flight:
    // dirty in the page cache, not yet handed to the device.
    const file = harness.world.disk(follower).open(`raft/g/${follower}/log`);
    const isExposed = (): boolean => file.submittedBytes < file.cachedBytes && harness.member(follower)!.lastIndex === leader.lastIndex;
    expect(harness.runUntil(isExposed, 5 * S)).toBe(true);
    // No new entries: the leader's next AppendEntries only re-sends what the follower recovered.
    harness.isClientOn = false;
    harness.world.processCrash(follower);
    harness.world.restart(follower);
    const recovered = harness.member(follower)!;
    expect(recovered.log.durableIndex).toBe(0);
    // The apply checker counts copies on the device: acknowledging the recovered tail at once would
    // commit entries that only the leader holds durably.
    expect(harness.runUntil(() => recovered.commitIndex === leader.lastIndex, 5 * S)).toBe(true);
    harness.world.healAll();
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
  });

  it("a write torn by a power loss is cut off at recovery with everything after it; the follower catches up again", () => {
    const { harness, leader } = bootWithLeader(8, 3);
    const follower = harness.names.find((name) => name !== leader.id)!;
    harness.world.partition({ kind: "isolate", nodes: [follower] });
    harness.isClientOn = true;
    harness.runFor(4 * S);
    harness.world.tornWrites(follower);
    harness.world.heal();
    // Catching up, the follower writes batches of 128 entries (~16 KB) at once: cut one mid-write.
    const file = harness.world.disk(follower).open(`raft/g/${follower}/log`);
    expect(harness.runUntil(() => file.submittedBytes - file.durableBytes > 8192, 5 * S)).toBe(true);
    harness.runFor(15_000);
    const before = harness.member(follower)!.lastIndex;
    harness.world.powerLoss(follower);
    expect(harness.kernel.marks.count("disk.torn-record")).toBe(1);
    harness.world.restart(follower);
    expect(harness.kernel.marks.count("raft.recover.torn-log")).toBe(1);
    expect(harness.member(follower)!.lastIndex).toBeLessThan(before);
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
  });

  it("a partitioned leader cannot commit; the majority elects a new one; after heal the old leader steps down and drops its uncommitted entries", () => {
    const { harness, leader: old } = bootWithLeader(4, 5);
    harness.isClientOn = true;
    harness.runFor(500 * MS);
    harness.isClientOn = false;
    harness.runFor(300 * MS);
    const commitBefore = old.commitIndex;
    harness.world.partition({ kind: "isolate", nodes: [old.id] });
    const stranded = [harness.propose(old), harness.propose(old), harness.propose(old)].map((proposal) => proposal!.command);
    expect(harness.runUntil(() => harness.names.some((name) => name !== old.id && harness.member(name)!.role === "leader"), 10 * S)).toBe(true);
    const fresh = harness.leader()!;
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.term).toBeGreaterThan(old.term);
    harness.isClientOn = true;
    harness.runFor(2 * S);
    // Still a leader in its own eyes (Raft has no lease), but nothing of its term commits.
    expect(old.role).toBe("leader");
    expect(old.commitIndex).toBe(commitBefore);
    expect(fresh.commitIndex).toBeGreaterThan(commitBefore + 50);
    const truncationsBefore = harness.kernel.marks.count("raft.truncate");
    harness.world.heal();
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
    expect(old.role).toBe("follower");
    expect(old.term).toBeGreaterThanOrEqual(fresh.term);
    expect(harness.kernel.marks.count("raft.truncate")).toBeGreaterThan(truncationsBefore);
    for (const name of harness.names) {
      const commands = harness.member(name)!.entries().map((entry) => entry.command);
      for (const command of stranded) expect(commands).not.toContain(command);
    }
  });

  it("a follower holding an old term's uncommitted suffix is repaired: the mismatch at prevLogIndex backs the leader up (Log Matching)", () => {
    const { harness, leader: first } = bootWithLeader(6, 5);
    harness.isClientOn = true;
    harness.runFor(300 * MS);
    harness.isClientOn = false;
    harness.runFor(300 * MS);
    const mate = harness.names.find((name) => name !== first.id)!;
    const majority = harness.names.filter((name) => name !== first.id && name !== mate);
    // The old leader keeps one follower: its entries reach that follower but no quorum.
    harness.world.partition({ kind: "total", groups: [[first.id, mate], majority] }, "split");
    const stranded = [harness.propose(first), harness.propose(first), harness.propose(first)].map((proposal) => proposal!.command);
    expect(harness.runUntil(() => majority.some((name) => harness.member(name)!.role === "leader"), 10 * S)).toBe(true);
    expect(harness.member(mate)!.lastIndex).toBe(first.lastIndex);
    harness.isClientOn = true;
    harness.runFor(1 * S);
    // Now the second leader is cut off, and a third (from the majority, whose logs are newer) must
    // repair the stranded follower, whose last entries have the old term at the indices it probes.
    const second = harness.leader()!;
    harness.world.heal("split");
    harness.world.partition({ kind: "isolate", nodes: [second.id] });
    expect(harness.runUntil(() => harness.leader() !== null && harness.leader()!.term > second.term, 10 * S)).toBe(true);
    const rejectionsBefore = harness.kernel.marks.count("raft.append.rejected");
    harness.runFor(1 * S);
    expect(harness.kernel.marks.count("raft.append.rejected")).toBeGreaterThan(rejectionsBefore);
    harness.world.heal();
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
    for (const name of harness.names) {
      const commands = harness.member(name)!.entries().map((entry) => entry.command);
      for (const command of stranded) expect(commands).not.toContain(command);
    }
  });

  it("entries of an earlier term commit only with the new leader's no-op (Raft §5.4.2), after a catch-up of several batches", () => {
    const { harness, leader: first } = bootWithLeader(7, 5);
    const [mate, a, b, c] = harness.names.filter((name) => name !== first.id) as [string, string, string, string];
    harness.isClientOn = true;
    harness.runFor(300 * MS);
    harness.isClientOn = false;
    harness.runFor(300 * MS);
    const commitBefore = first.commitIndex;
    // No side has a quorum: the leader's entries reach its mate and stay uncommitted.
    harness.world.processCrash(c);
    harness.world.partition({ kind: "total", groups: [[first.id, mate], [a, b]] }, "split");
    const proposed = Array.from({ length: 300 }, () => harness.propose(first)!);
    harness.runFor(1 * S);
    expect(first.commitIndex).toBe(commitBefore);
    expect(harness.member(mate)!.lastIndex).toBe(first.lastIndex);
    // The mate, whose log is the most up to date, succeeds; a and b are 300 entries (3 batches) behind.
    harness.world.processCrash(first.id);
    harness.world.heal("split");
    const backUps = harness.kernel.marks.count("raft.replicate.back-up");
    expect(harness.runUntil(() => harness.leader()?.id === mate, 10 * S)).toBe(true);
    const successor = harness.leader()!;
    // A quorum (successor, a, b) holds batches of the old term before it holds the no-op: counting
    // must not commit them (RaftMember.commitTo asserts it); the no-op commits them all at once.
    expect(harness.runUntil(() => successor.commitIndex === successor.lastIndex, 5 * S)).toBe(true);
    // A rejection's hint (lastIndex + 1) sends the leader straight back: a few back-ups (one per
    // follower, plus pipelined batches that overtook each other), not one per missing entry.
    expect(harness.kernel.marks.count("raft.replicate.back-up") - backUps).toBeLessThan(10);
    for (const { command, index } of proposed) expect(harness.committed.get(index)).toBe(command);
    harness.world.restart(c);
    harness.world.restart(first.id);
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
  });

  it("pre-vote: an isolated follower does not raise its term, and does not unseat the leader when it returns", () => {
    const { harness, leader } = bootWithLeader(5, 3);
    const follower = harness.names.find((name) => name !== leader.id)!;
    const term = leader.term;
    harness.isClientOn = true;
    harness.world.partition({ kind: "isolate", nodes: [follower] });
    harness.runFor(10 * S);
    expect(harness.kernel.marks.count("raft.pre-vote")).toBeGreaterThan(2);
    expect(harness.member(follower)!.term).toBe(term);
    harness.world.heal();
    harness.runFor(5 * S);
    expect(harness.leader()).toBe(leader);
    expect(leader.term).toBe(term);
    expect(harness.converge(10 * S)).toBe(true);
    harness.checkConverged();
    expect(harness.violations).toEqual([]);
  });

  it("is deterministic: the same seed and faults give the same digest", () => {
    const run = (seed: number): string => {
      const harness = new RaftHarness({ seed, nodes: 3 });
      harness.boot();
      harness.isClientOn = true;
      scheduleFaults(harness.world, [
        { verb: "processCrash", node: "n1", atNs: 2 * S },
        { verb: "partition", spec: { kind: "isolate", nodes: ["n2"] }, atNs: 3 * S },
        { verb: "powerLoss", node: "n3", atNs: 4 * S },
        { verb: "healAll", atNs: 5 * S },
      ]);
      harness.runFor(6 * S);
      expect(harness.converge(10 * S)).toBe(true);
      return harness.kernel.digestHex();
    };
    expect(run(11)).toBe(run(11));
    expect(run(11)).not.toBe(run(12));
  });

  it("property: safety under random crashes, power losses, pauses, partitions and disk faults; nothing committed is lost after healing", () => {
    const horizonNs = 6 * S;
    const verbs: FaultVerb[] = ["processCrash", "powerLoss", "restart", "pause", "resume", "partition", "heal", "slowDisk", "tornWrites", "fullDisk", "healDisk"];
    const scenario = fc.constantFrom(3, 5).chain((nodes) => {
      const nodeNames = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
      return fc.record({
        nodes: fc.constant(nodes),
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        // Half the runs also lose, duplicate and reorder datagrams (pipelined AppendEntries overtake each other).
        isLossy: fc.boolean(),
        schedule: faultScheduleArbitrary({ nodeNames, horizonNs, faultsMax: 12, verbs }),
      });
    });
    const describeRun = (nodes: number, seed: number, isLossy: boolean, schedule: FaultSchedule): string =>
      `${nodes} nodes, seed ${seed}${isLossy ? ", lossy datagrams" : ""}: ${schedule.map(describeFault).join("; ")}`;
    fc.assert(
      fc.property(scenario, ({ nodes, seed, isLossy, schedule }) => {
        const harness = new RaftHarness({ seed, nodes, ...(isLossy ? { network: { datagram: LOSSY } } : {}) });
        harness.boot();
        harness.isClientOn = true;
        scheduleFaults(harness.world, schedule);
        harness.runFor(horizonNs);
        harness.world.healAll();
        const converged = harness.converge(30 * S);
        harness.check();
        if (converged) harness.checkConverged();
        const problems = converged ? harness.violations : ["did not converge", ...harness.violations];
        if (problems.length > 0) throw new Error(`${describeRun(nodes, seed, isLossy, schedule)}\n${problems.join("\n")}`);
      }),
      { numRuns: 50 },
    );
  });
});
