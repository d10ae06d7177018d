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
          onDown: (wasOpen) => events.push(`${at()} down ${wasOpen ? "open" : "attempt"}`),
        },
      );
      link.connect();
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
    expect(p.events.filter((event) => event.endsWith("down open"))).toEqual([]);
    p.world.kernel.scheduler.run({ untilNs: 2_400 * MS });
    expect(p.events.filter((event) => event.endsWith("down open"))).toHaveLength(1);
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
});
