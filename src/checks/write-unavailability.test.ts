import { describe, expect, it } from "vitest";
import { History, type SendOutcome } from "../history/history.js";
import { measureWriteUnavailability, producerDownWindows } from "./write-unavailability.js";

const MS = 1_000_000;

/** Sends one message at `offerMs` to `stream`, answered `latencyMs` later with `outcome`. */
function send(history: History, pending: { atMs: number; event: Parameters<History["record"]>[0] }[], stream: string, offerMs: number, latencyMs: number, outcome: SendOutcome = "ok"): void {
  const id = history.reserveIds(1);
  pending.push({ atMs: offerMs, event: { type: "send", timeNs: offerMs * MS, client: "p", idFirst: id, count: 1 } });
  pending.push({ atMs: offerMs + latencyMs, event: { type: "send-result", timeNs: (offerMs + latencyMs) * MS, client: "p", idFirst: id, count: 1, outcome, stream, position: -1, error: outcome === "ok" ? "" : "NOT_LEADER" } });
}

/** A history from sends given out of order: recorded in time order, as a run records them. */
function historyOf(build: (add: (stream: string, offerMs: number, latencyMs: number, outcome?: SendOutcome) => void) => void): History {
  const history = new History();
  const pending: { atMs: number; event: Parameters<History["record"]>[0] }[] = [];
  build((stream, offerMs, latencyMs, outcome) => send(history, pending, stream, offerMs, latencyMs, outcome));
  pending.sort((a, b) => a.atMs - b.atMs || (a.event.type === "send" ? -1 : 1));
  for (const { event } of pending) history.record(event);
  return history;
}

describe("write unavailability per stream", () => {
  it("a busy stream whose messages wait but keep being acknowledged is not unavailable", () => {
    const history = historyOf((add) => {
      for (let ms = 0; ms < 2_000; ms += 10) add("p0", ms, 80);
    });
    const result = measureWriteUnavailability(history);
    expect(result.totalNs).toBe(0);
    expect(result.worst).toBeNull();
  });

  it("a partition whose leader is gone: from the first message that waits until its next acknowledgement, while another partition carries on", () => {
    const history = historyOf((add) => {
      for (let ms = 0; ms < 10_000; ms += 10) {
        add("p1", ms, 1);
        // p0's messages offered from 5.0 s wait until the new leader acknowledges at 7.7 s.
        add("p0", ms, ms >= 5_000 && ms < 7_700 ? 7_700 - ms : 1);
      }
    });
    const result = measureWriteUnavailability(history);
    expect(result.worst?.stream).toBe("p0");
    expect(result.worst?.unavailableNs).toBe(2_700 * MS);
    expect(result.totalNs).toBe(2_700 * MS);
    expect(result.refusedNs).toBe(0);
    expect(result.streams.map((stream) => stream.stream)).toEqual(["p0"]);
  });

  it("refusals that each take 2 ms chain into one window while producers keep trying, as refused time; a send that waits 500 ms for its refusal counts 500 ms", () => {
    const history = historyOf((add) => {
      for (let ms = 0; ms < 1_000; ms += 10) add("q", ms, 1);
      for (let ms = 1_000; ms < 3_000; ms += 10) add("q", ms, 2, "error");
      for (let ms = 3_000; ms < 4_000; ms += 10) add("q", ms, 1);
      add("dead", 3_500, 500, "unknown");
    });
    const result = measureWriteUnavailability(history);
    const q = result.streams.find((stream) => stream.stream === "q")!;
    // From the first refused offer at 1.0 s to the first acknowledgement at 3.001 s (the offer at 3.0 s follows the last refusal).
    expect(q.unavailableNs).toBe(2_001 * MS);
    expect(q.refusedNs).toBe(2_001 * MS);
    const dead = result.streams.find((stream) => stream.stream === "dead")!;
    expect(dead.unavailableNs).toBe(500 * MS);
    expect(result.totalNs).toBe(2_001 * MS + 500 * MS);
  });

  it("time when nobody offered the stream anything is not counted", () => {
    const history = historyOf((add) => {
      add("q", 1_000, 1, "error");
      add("q", 5_000, 1);
    });
    expect(measureWriteUnavailability(history).totalNs).toBe(0);
  });

  it("the total is the union over streams: two partitions down at the same time count once", () => {
    const history = historyOf((add) => {
      for (let ms = 0; ms < 6_000; ms += 10) {
        add("a", ms, ms >= 1_000 && ms < 3_000 ? 3_000 - ms : 1);
        add("b", ms, ms >= 2_000 && ms < 4_000 ? 4_000 - ms : 1);
      }
    });
    const result = measureWriteUnavailability(history);
    expect(result.streams.map((stream) => [stream.stream, stream.unavailableNs / MS])).toEqual([["a", 2_000], ["b", 2_000]]);
    expect(result.totalNs).toBe(3_000 * MS);
  });

  it("a producer that cannot send at all (its connection down) offers nothing to any stream: its down window counts in the total, as refused time", () => {
    const history = historyOf((add) => {
      add("q", 0, 1);
      add("q", 4_000, 1);
    });
    const result = measureWriteUnavailability(history, [{ startNs: 1_000 * MS, endNs: 4_000 * MS }]);
    expect(result.totalNs).toBe(3_000 * MS);
    expect(result.refusedNs).toBe(3_000 * MS);
    expect(result.worst).toBeNull();
  });

  it("a producer's error window counts as down only when it got no answer inside it: refusals inside are the stream's business", () => {
    const history = historyOf((add) => {
      add("q", 0, 1);
      add("q", 1_000, 1, "error");
      add("q", 2_000, 1, "error");
      add("q", 3_000, 1);
    });
    const down = { client: "p", startNs: 1_001 * MS, endNs: 3_001 * MS };
    expect(producerDownWindows(history, [down])).toEqual([]);
    const quiet = { client: "p", startNs: 2_001 * MS, endNs: 3_001 * MS };
    expect(producerDownWindows(history, [quiet])).toEqual([quiet]);
  });
});
