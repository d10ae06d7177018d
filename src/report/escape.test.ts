import { describe, expect, it } from "vitest";
import { escapeHtml, escapeMarkdown, markdownCodeBlock, shellQuote } from "./escape.js";
import { formatBytes, formatCount, formatDuration, formatRate } from "./format.js";
import { replayCommand } from "./replay-command.js";

describe("escaping", () => {
  it("escapes every HTML-significant character", () => {
    expect(escapeHtml(`<script>alert("x") & 'y'</script>`)).toBe("&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
  });

  it("keeps Markdown text inert and on one line", () => {
    expect(escapeMarkdown("a|b *c* <d>\n[e](f) `g`")).toBe("a\\|b \\*c\\* \\<d\\> \\[e\\](f) \\`g\\`");
  });

  it("fences code with a fence longer than any backtick run inside", () => {
    expect(markdownCodeBlock("a ```` b")).toBe("`````\na ```` b\n`````");
    expect(markdownCodeBlock("plain", "sh")).toBe("```sh\nplain\n```");
  });

  it("quotes shell words that are not plainly safe", () => {
    expect(shellQuote("scenarios/kafka-acks.yaml")).toBe("scenarios/kafka-acks.yaml");
    expect(shellQuote("a b; rm -rf /")).toBe("'a b; rm -rf /'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(replayCommand("my scenario", "42")).toBe("npx mqsim replay 'my scenario' --seed 42");
  });
});

describe("number formatting", () => {
  it("uses fixed, locale-free rules", () => {
    expect(formatCount(12_345_678)).toBe("12,345,678");
    expect(formatCount(-1234)).toBe("-1,234");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(999_900)).toBe("1.00 MB");
    expect(formatBytes(31_874_020)).toBe("31.9 MB");
    expect(formatDuration(850)).toBe("850 ns");
    expect(formatDuration(1_820_000)).toBe("1.82 ms");
    expect(formatDuration(2_400_000_000)).toBe("2.40 s");
    expect(formatRate(1950)).toBe("1,950/s");
    expect(formatRate(12.345)).toBe("12.3/s");
  });
});
