import { describe, expect, it } from "vitest";
import { threadsFor } from "./worker-threads.js";

describe("--workers", () => {
  it("is capped at the cores, with a note, unless --oversubscribe", () => {
    expect(threadsFor(2, {}, 4)).toEqual({ threads: 2, note: null });
    const capped = threadsFor(64, {}, 2);
    expect(capped.threads).toBe(2);
    expect(capped.note).toBe("--workers 64: this machine has 2 cores, so 2 threads run them (--oversubscribe to start 64)");
    expect(threadsFor(64, { oversubscribe: true }, 2)).toEqual({ threads: 64, note: null });
  });
});
