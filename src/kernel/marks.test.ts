import { describe, expect, it } from "vitest";
import { Marks } from "./marks.js";

describe("Marks", () => {
  it("counts hits per name; unknown names count zero", () => {
    const marks = new Marks();
    marks.hit("kafka.isr.shrink");
    marks.hit("kafka.isr.shrink");
    marks.hit("raft.election");
    expect(marks.count("kafka.isr.shrink")).toBe(2);
    expect(marks.count("raft.election")).toBe(1);
    expect(marks.count("never")).toBe(0);
  });

  it("lists entries sorted by name in code-unit order, whatever the hit order", () => {
    const marks = new Marks();
    for (const name of ["b", "a.z", "B", "a", "é", "a.b"]) marks.hit(name);
    marks.hit("a");
    // Code-unit order puts upper case before lower case and "é" last; localeCompare would not.
    expect(marks.entries()).toEqual([
      ["B", 1],
      ["a", 2],
      ["a.b", 1],
      ["a.z", 1],
      ["b", 1],
      ["é", 1],
    ]);
  });

  it("merge adds counts, brings in new names and leaves the other untouched", () => {
    const sweep = new Marks();
    sweep.hit("x");
    sweep.hit("y");
    const run = new Marks();
    run.hit("y");
    run.hit("y");
    run.hit("z");
    sweep.merge(run);
    expect(sweep.entries()).toEqual([
      ["x", 1],
      ["y", 3],
      ["z", 1],
    ]);
    expect(run.entries()).toEqual([
      ["y", 2],
      ["z", 1],
    ]);
    sweep.merge(sweep);
    expect(sweep.count("y")).toBe(6);
  });
});
