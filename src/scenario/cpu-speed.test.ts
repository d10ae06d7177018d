import { describe, expect, it } from "vitest";
import { DEFAULT_CPU_COSTS } from "../systems/kafka/cpu-costs.js";
import { kafkaRunSpecOf } from "../systems/kafka/scenario-spec.js";
import { formatProblems, validateScenario } from "./load.js";
import type { KafkaScenario } from "../systems/kafka/scenario-schema.js";

const DOCUMENT = {
  system: "kafka",
  duration: "1s",
  cluster: { brokers: 3, cpuSpeed: 4 },
  topics: [{ name: "t", partitions: 3, replicationFactor: 3 }],
  producers: [{ topic: "t", rate: "1000/s" }],
};

describe("cluster.cpuSpeed (what if every thread were faster)", () => {
  it("divides every calibrated CPU cost, brokers' and producers', by the factor", () => {
    const loaded = validateScenario(DOCUMENT);
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const spec = kafkaRunSpecOf(loaded.scenario as KafkaScenario);
    expect(spec.cluster.cpu!.handlerRecordNs).toBe(DEFAULT_CPU_COSTS.handlerRecordNs / 4);
    expect(spec.producers[0]!.cpu!.producerRecordNs).toBe(DEFAULT_CPU_COSTS.producerRecordNs / 4);
  });

  it("defaults to the calibration (1) and refuses a factor of 0 at its path", () => {
    const plain = validateScenario({ ...DOCUMENT, cluster: { brokers: 3 } });
    if (!plain.ok) throw new Error(formatProblems(plain.problems));
    expect(kafkaRunSpecOf(plain.scenario as KafkaScenario).cluster.cpu!.replicaRecordNs).toBe(DEFAULT_CPU_COSTS.replicaRecordNs);
    const bad = validateScenario({ ...DOCUMENT, cluster: { brokers: 3, cpuSpeed: 0 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]!.path).toBe("cluster.cpuSpeed");
  });
});
