/**
 * Network partitions as a cut matrix: for every ordered pair (src, dst) a
 * bitmask of the traffic classes that cannot cross. Checking a send is one
 * array read. Partitions can be total, one-way, bridged or scoped to traffic
 * classes, so "cut the brokers' data port but keep their controller session"
 * (the Jepsen 2013 Kafka fault) is a one-liner.
 */
import { assert } from "../kernel/assert.js";

export type PartitionSpec =
  /** Nodes in different groups cannot reach each other, both ways. Unlisted nodes are unaffected. */
  | { kind: "total"; groups: string[][]; classes?: string[] }
  /** Traffic from `from` to `to` is dropped; the reverse direction still flows. */
  | { kind: "one-way"; from: string[]; to: string[]; classes?: string[] }
  /** The two sides cannot talk, but the bridge nodes reach both (Jepsen's "bridge"). */
  | { kind: "bridge"; sides: [string[], string[]]; bridge: string[]; classes?: string[] }
  /** The listed nodes are cut from every other node, both ways. */
  | { kind: "isolate"; nodes: string[]; classes?: string[] };

export const ALL_CLASSES = -1;
export const CLASS_COUNT_MAX = 31;

/** Traffic classes ("kafka-data", "kafka-controller", …) by name, each with a bit. */
export class TrafficClasses {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  /** The class's id, registering it on first use. */
  id(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    assert(name.length > 0, "traffic class name must not be empty");
    assert(this.names.length < CLASS_COUNT_MAX, `more than ${CLASS_COUNT_MAX} traffic classes`);
    const id = this.names.length;
    this.ids.set(name, id);
    this.names.push(name);
    return id;
  }

  name(id: number): string {
    const name = this.names[id];
    assert(name !== undefined, `unknown traffic class id ${id}`);
    return name;
  }

  get count(): number {
    return this.names.length;
  }

  all(): readonly string[] {
    return this.names;
  }
}

interface ActivePartition {
  name: string;
  spec: PartitionSpec;
}

export class PartitionTable {
  private readonly nodeCount: number;
  private readonly indexOf: (name: string) => number;
  private readonly classes: TrafficClasses;
  /** cut[src * n + dst]: bitmask of classes that cannot go from src to dst. */
  private readonly cut: Int32Array;
  private readonly active: ActivePartition[] = [];

  constructor(options: { nodeCount: number; indexOf: (name: string) => number; classes: TrafficClasses }) {
    this.nodeCount = options.nodeCount;
    this.indexOf = options.indexOf;
    this.classes = options.classes;
    this.cut = new Int32Array(options.nodeCount * options.nodeCount);
  }

  isCut(src: number, dst: number, classId: number): boolean {
    return (this.cut[src * this.nodeCount + dst]! & (1 << classId)) !== 0;
  }

  /** True when either direction is cut: a TCP connection needs both. */
  isCutEitherWay(a: number, b: number, classId: number): boolean {
    return this.isCut(a, b, classId) || this.isCut(b, a, classId);
  }

  hasPartitions(): boolean {
    return this.active.length > 0;
  }

  activeNames(): string[] {
    return this.active.map((partition) => partition.name);
  }

  add(name: string, spec: PartitionSpec): void {
    assert(!this.active.some((partition) => partition.name === name), `partition "${name}" is already active`);
    this.validate(spec);
    this.active.push({ name, spec });
    this.apply(spec);
  }

  /** Heals one named partition, or all of them. Returns how many were healed. */
  heal(name?: string): number {
    const before = this.active.length;
    if (name === undefined) this.active.length = 0;
    else {
      const index = this.active.findIndex((partition) => partition.name === name);
      if (index >= 0) this.active.splice(index, 1);
    }
    this.cut.fill(0);
    for (const partition of this.active) this.apply(partition.spec);
    return before - this.active.length;
  }

  private validate(spec: PartitionSpec): void {
    for (const name of nodesOf(spec)) this.indexOf(name);
    // An empty class list would be an active partition that cuts nothing: surely a mistake.
    assert(spec.classes === undefined || spec.classes.length > 0, "a partition scoped to traffic classes needs at least one class");
  }

  private apply(spec: PartitionSpec): void {
    const mask = this.maskOf(spec.classes);
    switch (spec.kind) {
      case "total":
        for (let g = 0; g < spec.groups.length; g++) {
          for (let h = 0; h < spec.groups.length; h++) {
            if (g !== h) this.cutBetween(spec.groups[g]!, spec.groups[h]!, mask);
          }
        }
        return;
      case "one-way":
        this.cutBetween(spec.from, spec.to, mask);
        return;
      case "bridge":
        this.cutBetween(spec.sides[0], spec.sides[1], mask);
        this.cutBetween(spec.sides[1], spec.sides[0], mask);
        return;
      case "isolate": {
        const isolated = new Set(spec.nodes.map((name) => this.indexOf(name)));
        for (const a of isolated) {
          for (let b = 0; b < this.nodeCount; b++) {
            if (isolated.has(b)) continue;
            this.cut[a * this.nodeCount + b]! |= mask;
            this.cut[b * this.nodeCount + a]! |= mask;
          }
        }
        return;
      }
    }
  }

  private cutBetween(from: string[], to: string[], mask: number): void {
    for (const a of from) {
      const src = this.indexOf(a);
      for (const b of to) {
        const dst = this.indexOf(b);
        if (src !== dst) this.cut[src * this.nodeCount + dst]! |= mask;
      }
    }
  }

  private maskOf(classes: string[] | undefined): number {
    if (classes === undefined) return ALL_CLASSES;
    let mask = 0;
    for (const name of classes) mask |= 1 << this.classes.id(name);
    return mask;
  }
}

function nodesOf(spec: PartitionSpec): string[] {
  switch (spec.kind) {
    case "total":
      return spec.groups.flat();
    case "one-way":
      return [...spec.from, ...spec.to];
    case "bridge":
      return [...spec.sides[0], ...spec.sides[1], ...spec.bridge];
    case "isolate":
      return spec.nodes;
  }
}
