import { describe, expect, it } from "vitest";
import { terminalSafe } from "./terminal-text.js";

describe("terminalSafe", () => {
  it("shows ANSI, OSC and C1 controls and bidi overrides as escapes, keeping newlines and tabs", () => {
    expect(terminalSafe("a\u001b[31mred\u001b[0m\tb\nc")).toBe("a\\x1b[31mred\\x1b[0m\tb\nc");
    expect(terminalSafe("\u001b]0;owned\u0007")).toBe("\\x1b]0;owned\\x07");
    expect(terminalSafe("x\u009b2Jy")).toBe("x\\x9b2Jy");
    expect(terminalSafe("abc\u202edef")).toBe("abc\\u202edef");
    expect(terminalSafe("plain µs — ok")).toBe("plain µs — ok");
  });
});
