/**
 * A test-only system, registered only inside the tests that show a new
 * system plugs in (src/systems/plug-in.test.ts): its scenario branch in its
 * own words (`cluster.fsync`, `producers`), its run spec, its run on the
 * shared sequence (model.test-support.ts), its facts and fault targets. The
 * file name keeps it out of the build (tsconfig.build.json).
 */
import { z } from "zod";
import { CHECKER_NAMES } from "../../checks/violation.js";
import type { SystemModel } from "../../run/system.js";
import { checkBudgets } from "../../scenario/budget-check.js";
import { runSequenceSpecOf } from "../../scenario/sequence-spec.js";
import type { PresetDocument } from "../../scenario/preset.js";
import { presetFromYaml } from "../../scenario/preset.js";
import { BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, horizonSeconds, type RunEstimate } from "../../scenario/run-estimate.js";
import { budgetsSchema, BUDGETS_DEFAULT, checkFaults, descriptionSchema, durationSchema, faultSchema, issueReporter, nameSchema, rateSchema, seedSchema, sweepSchema } from "../../scenario/schema-parts.js";
import { worldCounters } from "../../world/world-counters.js";
import { FAKE_SERVER, FAKE_TRAFFIC, runFake, type FakeRunResult, type FakeRunSpec } from "./model.test-support.js";

const fakeScenarioObject = z.strictObject({
  system: z.literal("fake"),
  name: nameSchema.default("scenario"),
  description: descriptionSchema,
  seed: seedSchema,
  duration: durationSchema,
  cluster: z.strictObject({ fsync: z.boolean().default(true) }),
  producers: z.array(z.strictObject({ name: nameSchema, rate: rateSchema })).min(1).max(10),
  faults: z.array(faultSchema).max(1_000).default([]),
  checks: z.array(z.enum(CHECKER_NAMES)).optional(),
  budgets: budgetsSchema.default(BUDGETS_DEFAULT),
  sweep: sweepSchema.optional(),
});

export type FakeScenario = z.output<typeof fakeScenarioObject>;

const fakeScenarioSchema = fakeScenarioObject.superRefine(
  (scenario, ctx) => {
    const issue = issueReporter(ctx);
    const nodes = new Set([FAKE_SERVER, ...scenario.producers.map((p) => p.name)]);
    checkFaults(scenario.faults, scenario.duration, nodes, [FAKE_TRAFFIC], issue);
    checkBudgets(scenario, estimateFakeRun(scenario), issue);
  },
  { when: (payload) => payload.issues.length === 0 },
);

/** Per message: a send, its answer and its final read; a handful of events each (network, disk, timers). */
function estimateFakeRun(scenario: FakeScenario): RunEstimate {
  const messages = scenario.producers.reduce((sum, p) => sum + p.rate, 0) * (scenario.duration / 1e9);
  const historyRecords = messages * 3;
  return { batches: messages, events: messages * 12 + horizonSeconds(scenario) * 10, backgroundEvents: horizonSeconds(scenario) * 10, historyRecords, memoryBytes: BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD };
}

function fakeRunSpecOf(scenario: FakeScenario, seed: number | string): FakeRunSpec {
  return {
    ...runSequenceSpecOf(scenario, seed),
    producers: scenario.producers.map((p) => ({ name: p.name, ratePerSec: p.rate })),
    fsync: scenario.cluster.fsync,
    ...(scenario.checks === undefined ? {} : { checks: { checks: scenario.checks } }),
  };
}

const FAKE_PRESETS: readonly PresetDocument[] = [
  {
    name: "fake-no-fsync",
    claim: "F1",
    title: "Acknowledged before fsync: a power loss of the server loses acknowledged messages",
    expect: "safety-failed",
    yaml: `
system: fake
name: fake-no-fsync
seed: 3
duration: 2s
cluster: { fsync: false }
producers: [{ name: p1, rate: 200/s }]
faults:
  - { at: 1s, verb: powerLoss, node: q1 }
  - { at: 1200ms, verb: restart, node: q1 }
budgets: { convergeWithin: 5s }
`,
  },
];

export const fakeSystem = {
  name: "fake",
  displayName: "Fake",
  scenarioSchema: fakeScenarioSchema,
  estimateRun: estimateFakeRun,
  presets: FAKE_PRESETS.map(presetFromYaml),
  anomalies: [],
  defaultSafetyChecks: ["lost", "unexpected"],
  runSpecOf: fakeRunSpecOf,
  run: runFake,
  facts: (spec, result) => ({
    serverNodes: [FAKE_SERVER],
    nodeKinds: result.cluster.world.nodes.map((node) => ({ name: node.name, kind: node.name === FAKE_SERVER ? "queue server" : "client" })),
    clientMessageBytes: spec.producers.map((p) => [p.name, 100] as const),
    threads: [],
    interNode: (bytes, ackedBytes) => ({ bytes, perAckedByte: ackedBytes > 0 ? bytes / ackedBytes : 0 }),
    world: worldCounters(result.cluster.world),
  }),
  offeredLoad: (scenario) => scenario.producers.map((p) => ({ rate: { kind: "constant" as const, perSecond: p.rate }, count: 1 })),
  keyNumbers: () => [],
  faultTargets: (scenario) => {
    const nodeNames = [FAKE_SERVER, ...scenario.producers.map((p) => p.name)];
    return { nodeNames, partitionNodeNames: nodeNames, trafficClasses: [FAKE_TRAFFIC] };
  },
} as const satisfies SystemModel<FakeScenario, FakeRunSpec, FakeRunResult>;
