/**
 * The mqsim command on RabbitMQ scenarios, run as a user runs it: a preset
 * and a file, their exit codes, summaries and replays; a bad RabbitMQ file
 * refused with every problem at its path; check searching a RabbitMQ
 * scenario's fault schedules.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMqsim } from "./mqsim-process.test-support.js";

const mqsim = (...args: string[]) => runMqsim(args, 30_000);

interface JsonSummary {
  system: string;
  verdict: string;
  digest: string;
  unavailability: { sendSeconds: number };
  interNode: { perAckedByte: number; replicationPerAckedByte: number };
  checks: { check: string; ok: boolean }[];
}

describe("mqsim on RabbitMQ scenarios", () => {
  it("run <preset> --json: C5's durable preset exits 0 with the outage as unavailability; replay --seed gives the same digest", async () => {
    const [run, again] = await Promise.all([mqsim("run", "c5-single-node-durable", "--json"), mqsim("replay", "c5-single-node-durable", "--seed", "5", "--json")]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as JsonSummary;
    expect(summary.system).toBe("rabbitmq");
    expect(summary.verdict).toBe("ok");
    expect(summary.unavailability.sendSeconds).toBeGreaterThanOrEqual(3);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as JsonSummary).digest).toBe(summary.digest);
  });

  it("run <preset>: R3 exits 1, its summary names the lost messages and the inter-node bytes", async () => {
    const run = await mqsim("run", "r3");
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("scenario r3 (rabbitmq)");
    expect(run.stdout).toContain("verdict: SAFETY FAILED");
    expect(run.stdout).toMatch(/FAIL lost: \d+ lost/);
    expect(run.stdout).toMatch(/between nodes\s+[0-9.]+ (B|kB|MB|GB), [0-9.]+ per acknowledged payload byte; replication/);
  });

  it("run <file>: a RabbitMQ scenario in YAML runs and writes its report; a bad one exits 2 listing each problem at its path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-rabbitmq-"));
    const good = join(dir, "good.yaml");
    writeFileSync(
      good,
      [
        "system: rabbitmq",
        'version: "3.13"',
        "name: mirrored",
        "seed: 2",
        "duration: 3s",
        "cluster: { nodes: 3 }",
        "queues: [{ name: orders, node: r1 }]",
        'policies: [{ name: ha, pattern: "^orders$", definition: { ha-mode: all, ha-sync-mode: automatic } }]',
        "publishers: [{ routingKey: orders, rate: 200/s, messageSize: 1KiB, hosts: [r1] }]",
        "consumers: [{ queue: orders, prefetch: 20, hosts: [r1] }]",
        "",
      ].join("\n"),
    );
    const run = await mqsim("run", good, "--out", join(dir, "report"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("verdict: OK");
    expect(run.stdout).toContain("report: 9 files");

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "system: rabbitmq\nduration: 3s\ncluster: { nodes: 3 }\nqueues: [{ name: orders, type: stream }]\npublishers: [{ routingKey: order, rate: 10/s, mode: sync }]\n");
    const refused = await mqsim("run", bad);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain('queues[0].type: expected one of "classic", "quorum" (given: "stream")');
    expect(refused.stderr).toContain('publishers[0].mode: expected one of "confirm", "tx", "none" (given: "sync")');
  });

  it("check searches a RabbitMQ scenario's fault schedules (nodes r1…rN and the clients)", async () => {
    const check = await mqsim("check", "c5-single-node-durable", "--runs", "8");
    expect([0, 1]).toContain(check.code);
    expect(check.stdout).toMatch(/no counterexample in 8 generated fault schedules|counterexample after \d+ runs/);
  });

  it("sweep runs a RabbitMQ scenario over a grid of its own settings", async () => {
    const out = mkdtempSync(join(tmpdir(), "mqsim-rabbitmq-sweep-"));
    const sweep = await mqsim("sweep", "c15-reject-publish", "--set", 'queues[0].arguments["x-max-length"]=50,5000', "--workers", "1", "--out", out);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stdout).toMatch(/queues\[0\]\.arguments\["x-max-length"\]/);
    expect(sweep.stdout).toContain("2 points in");
  });

  it("list and show include the RabbitMQ presets", async () => {
    const [list, show] = await Promise.all([mqsim("list"), mqsim("show", "r4-safe")]);
    for (const name of ["c5-single-node-durable", "c6-classic-cluster", "c7-mirror-all-5", "c14-auto-ack", "c15-drop-head", "r3", "r4-safe"]) expect(list.stdout).toContain(name);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("system: rabbitmq");
    expect(show.stdout).toContain("ha-promote-on-failure: when-synced");
  });
});
