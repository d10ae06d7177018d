import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureRunSummary } from "./report-fixture.js";
import { SUMMARY_SCHEMA_VERSION } from "./run-summary.js";

const DOC = readFileSync(new URL("../../docs/summary-schema.md", import.meta.url), "utf8");

describe("docs/summary-schema.md", () => {
  it("names every field of a run summary and the current schema version", () => {
    const fields = [...Object.keys(fixtureRunSummary()), "replay", "interNode", "threads", "systemNumbers", "cluster", "lostMessages", "produceLatency"];
    for (const field of fields) expect(DOC, field).toContain(`\`${field}\``);
    expect(DOC).toContain(`\`schemaVersion\` is ${SUMMARY_SCHEMA_VERSION}`);
  });
});
