/**
 * The shared reconnecting link: it reconnects after its backoff, rotates
 * through its hosts, retries faster before it first opened, and notices a
 * silent peer only through its own liveness (request deadlines or ticks),
 * never through the socket, which survives a partition.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/index.js";
import type { WorldNode } from "./node.js";
import { ReconnectingLink, type ReconnectingLinkOptions } from "./reconnecting-link.js";
import { World } from "./world.js";

type Message = { kind: "ping" | "tick" | "pong"; id: number };

const PORT = "p";
const MS = 1_000_000;

/** Answers every ping with a pong of the same id and every tick with a tick, unless told to stay quiet. */
function echoServer(world: World, quiet: { isQuiet: boolean }) {
  return {
    start(node: WorldNode): void {
      world.net.listen(node, PORT, {
        accept: () => ({
          onData: (endpoint, payload) => {
            const message = payload as Message;
            if (quiet.isQuiet) return;
            if (message.kind === "ping") endpoint.send({ kind: "pong", id: message.id }, 64);
            if (message.kind === "tick") endpoint.send({ kind: "tick", id: 0 }, 16);
          },
          onClose: () => undefined,
        }),
      });
    },
  };
}

interface Probe {
  world: World;
  link: ReconnectingLink<Message>;
  events: string[];
  quiet: { isQuiet: boolean };
}

function probe(options: Partial<Omit<ReconnectingLinkOptions<Message>, "hosts">> & { hosts?: string[] } = {}): Probe {
  const kernel = new Kernel({ seed: 1 });
  const world = new World({ kernel, nodes: [{ name: "c" }, { name: "s1" }, { name: "s2" }] });
  const quiet = { isQuiet: false };
  for (const server of ["s1", "s2"]) world.install(server, echoServer(world, quiet));
  const events: string[] = [];
  const at = (): string => `${Math.round(kernel.now / MS)}ms`;
  let link: ReconnectingLink<Message> | null = null;
  world.install("c", {
    start: (node) => {
      const { hosts, ...rest } = options;
      link = new ReconnectingLink<Message>(
        { world, node, hosts: (hosts ?? ["s1"]).map((name) => world.node(name)), port: PORT, trafficClass: "t", bytesOf: () => 64, reconnectBackoffNs: 1_000 * MS, ...rest },
        {
          onOpen: (peer) => events.push(`${at()} open ${peer.name}`),
          onMessage: (message) => events.push(`${at()} ${message.kind} ${message.id}`),
          onDown: (wasOpen, timedOutId, lostIds) => events.push(`${at()} down ${wasOpen ? "open" : "attempt"}${timedOutId === null ? "" : ` timed-out ${timedOutId}`}${lostIds.length === 0 ? "" : ` lost ${lostIds.join(",")}`}`),
        },
      );
      if (options.reconnect !== "on-demand") link.connect();
    },
  });
  world.boot();
  return { world, get link() { return link!; }, events, quiet };
}

const openedAt = (events: readonly string[]): string[] => events.filter((event) => event.includes(" open "));

describe("ReconnectingLink", () => {
  it("reconnects after its backoff when the peer's process dies and returns", () => {
    const p = probe();
    p.world.kernel.scheduler.run({ untilNs: 100 * MS });
    expect(p.link.isOpen).toBe(true);
    p.world.processCrash("s1");
    p.world.kernel.scheduler.run({ untilNs: 300 * MS });
    p.world.restart("s1");
    p.world.kernel.scheduler.run({ untilNs: 5_000 * MS });
    expect(openedAt(p.events).length).toBeGreaterThanOrEqual(2);
    expect(p.events.some((event) => event.endsWith("down open"))).toBe(true);
    expect(p.link.isOpen).toBe(true);
  });

  it("moves on to the next host after a loss, and retries faster before it has ever opened", () => {
    const p = probe({ hosts: ["s1", "s2"], firstConnectRetryNs: 50 * MS });
    p.world.processCrash("s1");
    p.world.kernel.scheduler.run({ untilNs: 500 * MS });
    // s1 refuses (its process is gone); the next attempt, 50 ms later rather than the 1 s backoff, goes to s2.
    expect(p.events[0]).toMatch(/down attempt/);
    expect(openedAt(p.events)).toEqual([expect.stringMatching(/open s2$/)]);
    expect(p.link.openPeer?.name).toBe("s2");
    expect(Number.parseInt(openedAt(p.events)[0]!, 10)).toBeLessThan(200);
  });

  it("gives up a connection whose request goes unanswered past its deadline, though the socket stays up", () => {
    const p = probe({ requests: { timeoutNs: 2_000 * MS, answerOf: (m) => (m.kind === "pong" ? m.id : undefined), timeoutMark: "test.timeout", timeoutTrace: "test.timeout" } });
    p.world.kernel.scheduler.run({ untilNs: 100 * MS });
    expect(p.link.request({ kind: "ping", id: 1 }, 1)).toBe(true);
    p.world.kernel.scheduler.run({ untilNs: 200 * MS });
    expect(p.events.some((event) => event.endsWith("pong 1"))).toBe(true);
    p.quiet.isQuiet = true;
    expect(p.link.request({ kind: "ping", id: 2 }, 2)).toBe(true);
    p.world.kernel.scheduler.run({ untilNs: 2_150 * MS });
    expect(p.events.filter((event) => event.includes("down open"))).toEqual([]);
    p.world.kernel.scheduler.run({ untilNs: 2_400 * MS });
    expect(p.events.filter((event) => event.includes("down open"))).toEqual([expect.stringMatching(/down open timed-out 2 lost 2$/)]);
    expect(p.world.kernel.marks.entries()).toContainEqual(["test.timeout", 1]);
  });

  it("declares a peer cut off by a partition gone after its silent ticks, and reconnects after the heal", () => {
    const p = probe({ ticks: { intervalNs: 250 * MS, silentIntervalsMax: 4, tick: { kind: "tick", id: 0 }, isTick: (m) => m.kind === "tick", silentMark: "test.silent" } });
    // A peer that ticks back keeps the link up, however idle.
    p.world.kernel.scheduler.run({ untilNs: 3_000 * MS });
    expect(p.events.filter((event) => event.includes("down"))).toEqual([]);
    const cut = p.world.partition({ kind: "isolate", nodes: ["s1"] });
    p.world.kernel.scheduler.run({ untilNs: 3_900 * MS });
    expect(p.events.filter((event) => event.includes("down"))).toEqual([]);
    // Four silent intervals of 250 ms: gone between 1 s and 1.25 s after the cut.
    p.world.kernel.scheduler.run({ untilNs: 4_300 * MS });
    expect(p.events.filter((event) => event.endsWith("down open"))).toHaveLength(1);
    expect(p.world.kernel.marks.entries().some(([mark]) => mark === "test.silent")).toBe(true);
    p.world.heal(cut);
    p.world.kernel.scheduler.run({ untilNs: 10_000 * MS });
    expect(openedAt(p.events).length).toBeGreaterThanOrEqual(2);
  });

  it("on demand: after a loss it waits to be asked, and not before the backoff, which doubles with each failure up to its maximum", () => {
    const p = probe({ reconnect: "on-demand", reconnectBackoffNs: 100 * MS, reconnectBackoffMaxNs: 300 * MS });
    p.world.processCrash("s1");
    const retries: number[] = [];
    for (let k = 0; k < 4; k++) {
      const now = p.world.kernel.now;
      const atNs = p.link.ensureConnecting();
      expect(atNs, "nothing to wait for: it connects at once").toBe(now);
      // The refused attempt comes back; nothing reconnects by itself.
      p.world.kernel.scheduler.run({ untilNs: now + 50 * MS });
      expect(p.link.state).toBe("idle");
      const nextNs = p.link.ensureConnecting();
      retries.push(Math.round((nextNs - now) / MS));
      p.world.kernel.scheduler.run({ untilNs: nextNs });
    }
    // Each wait counts from the loss (a millisecond or so after the attempt): 100, 200, then 300 at most.
    expect(retries.map((ms) => Math.round(ms / 100) * 100)).toEqual([100, 200, 300, 300]);
    expect(p.events.every((event) => event.endsWith("down attempt"))).toBe(true);
  });

  it("times a request out on its own timer, lists what was lost, and drops answers nobody awaits", () => {
    const p = probe({ reconnect: "on-demand", requests: { timeoutNs: 500 * MS, answerOf: (m) => (m.kind === "pong" ? m.id : undefined), timeoutMark: "test.timeout", timers: "per-request", isAnswersOnly: true } });
    p.link.ensureConnecting();
    p.world.kernel.scheduler.run({ untilNs: 100 * MS });
    expect(p.link.isEstablished).toBe(true);
    // An answer to nothing awaited (a ping sent without request) is dropped.
    p.link.send({ kind: "ping", id: 7 });
    p.link.request({ kind: "ping", id: 1 }, 1);
    p.world.kernel.scheduler.run({ untilNs: 200 * MS });
    expect(p.events.filter((event) => event.includes("pong"))).toEqual([expect.stringMatching(/pong 1$/)]);
    p.quiet.isQuiet = true;
    p.link.request({ kind: "ping", id: 2 }, 2);
    p.world.kernel.scheduler.run({ untilNs: 250 * MS });
    p.link.request({ kind: "ping", id: 3 }, 3);
    p.world.kernel.scheduler.run({ untilNs: 1_000 * MS });
    expect(p.events.filter((event) => event.includes("down"))).toEqual([expect.stringMatching(/down open timed-out 2 lost 2,3$/)]);
  });

  it("gives up a connection when a write cannot leave the socket within the request timeout (the peer stopped acknowledging)", () => {
    const p = probe({ reconnect: "on-demand", requests: { timeoutNs: 500 * MS, timeoutMark: "test.unsent" } });
    p.link.ensureConnecting();
    p.world.kernel.scheduler.run({ untilNs: 100 * MS });
    p.world.partition({ kind: "isolate", nodes: ["s1"] });
    expect(p.link.send({ kind: "ping", id: 1 })).toBe(true);
    // Bytes count as stuck once TCP is retransmitting them (its first timeout is 200 ms).
    p.world.kernel.scheduler.run({ untilNs: 400 * MS });
    expect(p.link.bufferedBytes).toBeGreaterThan(0);
    p.link.watchUnsent();
    p.world.kernel.scheduler.run({ untilNs: 850 * MS });
    expect(p.events.filter((event) => event.includes("down"))).toEqual([]);
    p.world.kernel.scheduler.run({ untilNs: 950 * MS });
    expect(p.events.filter((event) => event.includes("down"))).toEqual([expect.stringMatching(/down open$/)]);
    expect(p.world.kernel.marks.entries()).toContainEqual(["test.unsent", 1]);
  });
});
