import { describe, expect, it } from "vitest";
import { presetNamed } from "../scenario/presets.js";
import { gridPoints, parseSetFlag, pointKey, sweepParameters, type SetFlag } from "./grid.js";
import { formatParameterPath, parseParameterPath, setAtPath } from "./paths.js";
import { planSweep } from "./plan.js";
import { canonicalJson, derivePointSeed, fingerprint, hash53 } from "./seed.js";
import { inShard, isResultsFileName, parseShard, resultsFileName } from "./shard.js";

function segments(text: string): (string | number)[] {
  const parsed = parseParameterPath(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.segments;
}

function set(text: string): SetFlag {
  const parsed = parseSetFlag(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe("parameter paths", () => {
  it("reads dotted words, indexes, bracketed keys with dots and JSON Pointers alike", () => {
    expect(segments("cluster.brokers")).toEqual(["cluster", "brokers"]);
    expect(segments("producers[0].config.acks")).toEqual(["producers", 0, "config", "acks"]);
    expect(segments("producers.0.config.acks")).toEqual(["producers", 0, "config", "acks"]);
    expect(segments('config["min.insync.replicas"]')).toEqual(["config", "min.insync.replicas"]);
    expect(segments("config['min.insync.replicas']")).toEqual(["config", "min.insync.replicas"]);
    expect(segments('producers[0].config["linger.ms"]')).toEqual(["producers", 0, "config", "linger.ms"]);
    expect(segments("/config/min.insync.replicas")).toEqual(["config", "min.insync.replicas"]);
    expect(segments("/producers/0/config/a~1b~0c")).toEqual(["producers", 0, "config", "a/b~c"]);
  });

  it("prints every form of one path the same canonical way", () => {
    for (const text of ['config["min.insync.replicas"]', "config['min.insync.replicas']", "/config/min.insync.replicas"]) {
      expect(formatParameterPath(segments(text))).toBe('config["min.insync.replicas"]');
    }
    expect(formatParameterPath(segments("producers.0.rate"))).toBe("producers[0].rate");
  });

  it("refuses malformed paths with a message that shows the bracket form", () => {
    for (const text of ["", "a..b", "a.", "[0].x", 'config["x', "config[x]", "a.__proto__.b", "config[''']"]) {
      const parsed = parseParameterPath(text);
      expect(parsed.ok, text).toBe(false);
    }
    const parsed = parseParameterPath("a..b");
    expect(!parsed.ok && parsed.message).toContain('config["min.insync.replicas"]');
  });

  it("sets values in place, creating missing mappings but never extending a list", () => {
    const document: Record<string, unknown> = { producers: [{ topic: "t" }], duration: "1s" };
    expect(setAtPath(document, segments('producers[0].config["linger.ms"]'), 5)).toEqual({ ok: true });
    expect(document).toEqual({ producers: [{ topic: "t", config: { "linger.ms": 5 } }], duration: "1s" });
    const beyond = setAtPath(document, segments("producers[1].rate"), "1k/s");
    expect(beyond.ok === false && beyond.message).toBe("producers has 1 item: no index 1");
    const intoValue = setAtPath(document, segments("duration.x"), 1);
    expect(intoValue.ok === false && intoValue.message).toContain("duration is a value");
    const keyOfList = setAtPath(document, segments("producers.rate"), 1);
    expect(keyOfList.ok === false && keyOfList.message).toContain("producers is a list");
  });
});

describe("--set flags", () => {
  it("reads numbers, booleans and text, drops repeats, and takes a JSON list literally", () => {
    expect(set("cluster.brokers=3,5,3")).toEqual({ name: "cluster.brokers", segments: ["cluster", "brokers"], values: [3, 5] });
    expect(set('config["unclean.leader.election.enable"]=true,false').values).toEqual([true, false]);
    expect(set("producers[0].rate=1k/s, 5k/s").values).toEqual(["1k/s", "5k/s"]);
    expect(set('config["x=y"]=1').name).toBe('config["x=y"]');
    expect(set('name=["007", "a,b"]').values).toEqual(["007", "a,b"]);
  });

  it("refuses a flag without values or with an empty one", () => {
    for (const text of ["cluster.brokers", "cluster.brokers=", "cluster.brokers=3,,5", "cluster.brokers=[]", "cluster.brokers=[{}]"]) {
      expect(parseSetFlag(text).ok, text).toBe(false);
    }
  });
});

describe("the grid", () => {
  it("lists parameters as the block does, a flag replacing the block's values in place, the first varying slowest", () => {
    const parameters = sweepParameters({ "cluster.brokers": [3, 5], "/config/min.insync.replicas": [1] }, [set('config["min.insync.replicas"]=1,2'), set("seed=1")]);
    if (!parameters.ok) throw new Error(parameters.message);
    expect(parameters.value.map((p) => [p.name, p.values])).toEqual([
      ["cluster.brokers", [3, 5]],
      ['config["min.insync.replicas"]', [1, 2]],
      ["seed", [1]],
    ]);
    const points = gridPoints(parameters.value);
    expect(points.map((point) => point.parameters.map((p) => p.value))).toEqual([
      [3, 1, 1],
      [3, 2, 1],
      [5, 1, 1],
      [5, 2, 1],
    ]);
    expect(points.map((point) => point.index)).toEqual([0, 1, 2, 3]);
  });

  it("refuses a path listed twice, a path inside another, and sweeping the sweep block", () => {
    expect(sweepParameters({ "config.acks": [1], '["config"].acks': [2] }, []).ok).toBe(false);
    expect(sweepParameters({}, [set("a=1"), set("a=2")]).ok).toBe(false);
    expect(sweepParameters({ "producers[0]": ["x"] }, [set("producers[0].rate=1")]).ok).toBe(false);
    expect(sweepParameters({}, [set("sweep.x=1")]).ok).toBe(false);
  });

  it("keys a point by its values, whatever order the parameters are listed in", () => {
    const a = pointKey([{ name: "cluster.brokers", value: 3 }, { name: "seed", value: "x" }]);
    const b = pointKey([{ name: "seed", value: "x" }, { name: "cluster.brokers", value: 3 }]);
    expect(a).toBe(b);
    expect(a).toBe('[["cluster.brokers",3],["seed","x"]]');
    expect(pointKey([{ name: "seed", value: 1 }])).not.toBe(pointKey([{ name: "seed", value: "1" }]));
  });
});

describe("seeds", () => {
  it("are a pinned hash of the base seed and the point key (changing it changes every sweep's results)", () => {
    // cyrb53's published values for "" and "a".
    expect(hash53("")).toBe(3338908027751811);
    expect(hash53("a")).toBe(7929297801672961);
    expect(derivePointSeed(1, '[["cluster.brokers",3]]')).toBe(8210467142454838);
    expect(derivePointSeed("1", '[["cluster.brokers",3]]')).toBe(7093347033005860);
    expect(Number.isSafeInteger(derivePointSeed(Number.MAX_SAFE_INTEGER, "[]"))).toBe(true);
  });

  it("fingerprint documents regardless of key order", () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: "x", u: undefined })).toBe('{"a":"x","b":[1,{"c":2,"d":1}]}');
    expect(fingerprint({ a: 1, b: [1, "x"] })).toBe(fingerprint({ b: [1, "x"], a: 1 }));
    expect(fingerprint({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("planning a sweep", () => {
  const k1Safe = presetNamed("k1-safe")!.document;

  it("sets dotted Kafka keys, validates each point and derives each point's seed (the swept seed when seed is swept)", () => {
    const planned = planSweep(k1Safe, { sets: [set('config["min.insync.replicas"]=1,2'), set("producers[0].config.retries=5,10")] });
    if (!planned.ok) throw new Error(planned.message);
    const { plan } = planned;
    expect(plan.points).toHaveLength(4);
    expect(plan.document).not.toHaveProperty("sweep");
    expect(new Set(plan.points.map((point) => point.seed)).size).toBe(4);
    expect(plan.points[0]!.seed).toBe(derivePointSeed(1, plan.points[0]!.key));
    const again = planSweep(structuredClone(k1Safe), { sets: [set('config["min.insync.replicas"]=1,2'), set("producers[0].config.retries=5,10")] });
    expect(again.ok && again.plan).toEqual(plan);
    const seeds = planSweep(k1Safe, { sets: [set("seed=7,8")] });
    expect(seeds.ok && seeds.plan.points.map((point) => point.seed)).toEqual([7, 8]);
    const based = planSweep(k1Safe, { sets: [set("cluster.brokers=3")], seed: 9 });
    expect(based.ok && based.plan.points[0]!.seed).toBe(derivePointSeed(9, '[["cluster.brokers",3]]'));
    expect(based.ok && based.plan.scenarioId).not.toBe(planSweep(k1Safe, { sets: [set("cluster.brokers=3")] }).ok && planned.plan.scenarioId);
  });

  it("reports an invalid value before anything runs, naming the point, and hints at brackets for dotted keys", () => {
    const bad = planSweep(k1Safe, { sets: [set('config["min.insync.replicas"]=2,4')] });
    expect(bad.ok).toBe(false);
    const message = bad.ok ? "" : bad.message;
    expect(message).toContain("1 of 2 sweep points are invalid");
    expect(message).toContain('point 2 (config["min.insync.replicas"]=4)');
    expect(message).toContain('config["min.insync.replicas"]: expected at most 3');
    const dotted = planSweep(k1Safe, { sets: [set("config.min.insync.replicas=1,2")] });
    expect(dotted.ok ? "" : dotted.message).toMatch(/2 of 2 sweep points are invalid:\npoint 1 .* and 1 other point with the same problem:\n {2}config\.min: unknown key "min"[\s\S]*written in brackets/);
    const nothing = planSweep(k1Safe, {});
    expect(nothing.ok ? "" : nothing.message).toContain("nothing to sweep");
  });

  it("takes the scenario's sweep block", () => {
    const planned = planSweep({ ...k1Safe, sweep: { "cluster.brokers": [3, 4], 'config["min.insync.replicas"]': [2] } }, {});
    if (!planned.ok) throw new Error(planned.message);
    expect(planned.plan.parameters.map((p) => p.name)).toEqual(["cluster.brokers", 'config["min.insync.replicas"]']);
    expect(planned.plan.points).toHaveLength(2);
  });
});

describe("shards", () => {
  it("divide the grid round-robin, every point in exactly one shard", () => {
    const parsed = parseShard("2/3");
    expect(parsed).toEqual({ ok: true, shard: { index: 2, count: 3 } });
    for (const text of ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", " 1/2"]) expect(parseShard(text).ok, text).toBe(false);
    const owners = Array.from({ length: 10 }, (_, index) => [1, 2, 3].filter((k) => inShard(index, { index: k, count: 3 })));
    expect(owners).toEqual([[1], [2], [3], [1], [2], [3], [1], [2], [3], [1]]);
    expect(resultsFileName({ index: 2, count: 3 })).toBe("points.shard-2-of-3.jsonl");
    expect(isResultsFileName("points.shard-2-of-3.jsonl") && isResultsFileName("points.jsonl")).toBe(true);
    expect(isResultsFileName("points.jsonl.rewrite")).toBe(false);
  });
});
