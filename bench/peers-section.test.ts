import { describe, expect, it } from "vitest";
import { PEERS_BEGIN, PEERS_END, peersSectionOf, withPeersSection } from "./peers-section.js";

const section = (text: string): string => `${PEERS_BEGIN}\n${text}\n${PEERS_END}\n`;

describe("bench-kernel.md's peers section", () => {
  it("is appended when missing and replaced when present, the rest kept", () => {
    const kernel = "# Kernel benchmark\n\n| a | b |\n";
    const once = withPeersSection(kernel, section("SimPy 8.6x"));
    expect(once).toBe(`# Kernel benchmark\n\n| a | b |\n\n${section("SimPy 8.6x")}`);
    const twice = withPeersSection(once, section("SimPy 9.1x"));
    expect(twice).toBe(`# Kernel benchmark\n\n| a | b |\n\n${section("SimPy 9.1x")}`);
    expect(peersSectionOf(twice)).toBe(section("SimPy 9.1x"));
  });

  it("survives the kernel bench rewriting the rest of the file", () => {
    const withPeers = withPeersSection("# old kernel figures\n", section("ns-3 1.4x"));
    const rewritten = withPeersSection("# new kernel figures\n", peersSectionOf(withPeers));
    expect(rewritten).toContain("# new kernel figures");
    expect(rewritten).not.toContain("old kernel figures");
    expect(peersSectionOf(rewritten)).toBe(section("ns-3 1.4x"));
    expect(peersSectionOf("# no section")).toBe("");
  });
});
