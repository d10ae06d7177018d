import { describe, expect, it } from "vitest";
import { formatProblems, loadScenarioText, type ScenarioProblem } from "../../scenario/load.js";
import { systemNamed } from "../index.js";

const BASE = `
system: activemq
name: jdbc
seed: 1
duration: 10s
queues: [{ name: orders }]
producers:
  - { queue: orders, rate: 10/s }`;

function problemsOf(text: string): ScenarioProblem[] {
  const load = loadScenarioText(text);
  if (load.ok) throw new Error("expected the document to be refused, but it loaded");
  return load.problems;
}

describe("ActiveMQ's persistence adapters in the scenario file", () => {
  it("jdbc: the brokers persist in the database db, master/slave by the lease locker with the adapter's defaults", () => {
    const load = loadScenarioText(`${BASE}\ncluster: { brokers: 2 }\npersistenceAdapter: { jdbc: {} }`);
    if (!load.ok) throw new Error(formatProblems(load.problems));
    expect(load.scenario.system).toBe("activemq");
    const system = systemNamed("activemq");
    const spec = system.runSpecOf(load.scenario as never, 1) as unknown as { cluster: { database?: unknown; sharedStore?: unknown } };
    expect(spec.cluster.database).toEqual({ server: "db", lockKeepAlivePeriod: 30_000, lockAcquireSleepInterval: 10_000 });
    expect(spec.cluster.sharedStore).toBeUndefined();
    expect(system.faultTargets(load.scenario as never).nodeNames).toContain("db");
  });

  it("refuses both adapters at once, a shared store beside jdbc, and master/slave with neither", () => {
    expect(problemsOf(`${BASE}\ncluster: { brokers: 1 }\npersistenceAdapter: { jdbc: {}, kahaDB: {} }`).map((p) => [p.path, p.message])).toEqual([["persistenceAdapter", "expected one persistence adapter, kahaDB or jdbc, not both"]]);
    expect(problemsOf(`${BASE}\ncluster: { brokers: 2, sharedStore: { protocol: nfsv4 } }\npersistenceAdapter: { jdbc: {} }`).map((p) => p.path)).toEqual(["cluster.sharedStore"]);
    const neither = problemsOf(`${BASE}\ncluster: { brokers: 2 }`);
    expect(neither.map((p) => p.path)).toEqual(["cluster.sharedStore"]);
    expect(neither[0]!.message).toMatch(/or persistenceAdapter.jdbc/);
  });

  it("refuses a locker the model does not have", () => {
    const problems = problemsOf(`${BASE}\ncluster: { brokers: 2 }\npersistenceAdapter: { jdbc: { locker: { kind: database-locker } } }`);
    expect(problems.map((p) => p.path)).toEqual(["persistenceAdapter.jdbc.locker.kind"]);
  });

  it("a transacted producer: messagesPerTransaction only with transacted: true", () => {
    const ok = loadScenarioText(`${BASE.replace("rate: 10/s }", "rate: 10/s, transacted: true, messagesPerTransaction: 5 }")}\ncluster: { brokers: 1 }`);
    if (!ok.ok) throw new Error(formatProblems(ok.problems));
    const spec = systemNamed("activemq").runSpecOf(ok.scenario as never, 1) as unknown as { producers: { messagesPerTransaction?: number }[] };
    expect(spec.producers[0]!.messagesPerTransaction).toBe(5);
    const problems = problemsOf(`${BASE.replace("rate: 10/s }", "rate: 10/s, messagesPerTransaction: 5 }")}\ncluster: { brokers: 1 }`);
    expect(problems.map((p) => p.path)).toEqual(["producers[0].messagesPerTransaction"]);
  });
});
