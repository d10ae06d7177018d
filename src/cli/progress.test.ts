import { describe, expect, it } from "vitest";
import { formatSeconds, progressBar, runFraction, runStatus } from "./progress.js";

/** A terminal that records what is written to it. */
function fakeTerminal(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let written = "";
  const stream = {
    isTTY,
    columns: 160,
    write(chunk: string | Uint8Array, callback?: unknown): boolean {
      written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (typeof callback === "function") (callback as () => void)();
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => written };
}

describe("the progress bar", () => {
  it("appears on a terminal once the work has taken a second, with the share done, the time left and the status, and clears itself", () => {
    let nowMs = 0;
    const terminal = fakeTerminal(true);
    const progress = progressBar("run k3", { isSilent: false, stream: terminal.stream, clockMs: () => nowMs });
    nowMs = 500;
    progress.update(0.1, "virtual 1.0 s of 10.0 s");
    expect(terminal.text()).toBe("");
    nowMs = 2_000;
    progress.update(0.4, "virtual 4.0 s of 10.0 s");
    expect(terminal.text()).toContain("run k3 |");
    expect(terminal.text()).toContain("40% | 2 s elapsed, ~3 s left | virtual 4.0 s of 10.0 s");
    progress.stop();
    // Cleared: the line is erased (ESC [ 2K) after the last drawing.
    expect(terminal.text().lastIndexOf("\u001b[2K")).toBeGreaterThan(terminal.text().lastIndexOf("virtual 4.0 s"));
    nowMs = 3_000;
    const before = terminal.text();
    progress.update(0.9, "after stop");
    expect(terminal.text()).toBe(before);
  });

  it("writes nothing when not on a terminal, or when silenced (--json, --quiet)", () => {
    for (const [isTTY, isSilent] of [
      [false, false],
      [true, true],
    ] as const) {
      let nowMs = 0;
      const terminal = fakeTerminal(isTTY);
      const progress = progressBar("check k3", { isSilent, stream: terminal.stream, clockMs: () => nowMs });
      nowMs = 5_000;
      progress.update(0.5, "half");
      progress.stop();
      expect(terminal.text()).toBe("");
    }
  });

  it("turns a run's virtual progress into a share of the work, the fault phase first", () => {
    expect(runFraction({ phase: "faults", nowNs: 5e9, untilNs: 10e9 })).toBeCloseTo(0.45);
    expect(runFraction({ phase: "converging", nowNs: 10e9, untilNs: 20e9 })).toBeCloseTo(0.95);
    expect(runStatus({ phase: "faults", nowNs: 5e9, untilNs: 10e9 })).toBe("virtual 5.0 s of 10.0 s");
    expect(runStatus({ phase: "converging", nowNs: 12e9, untilNs: 70e9 })).toBe("converging at virtual 12.0 s");
    expect([formatSeconds(4_400), formatSeconds(185_000), formatSeconds(7_380_000)]).toEqual(["4 s", "3 m 05 s", "2 h 03 m"]);
  });
});
