import { describe, expect, it } from "vitest";
import { RouteLog } from "./route-log.js";

const S = 1_000_000_000;

describe("the route log's stale routes", () => {
  it("counts from the NameServers' drop to the client's first route without the broker", () => {
    const log = new RouteLog();
    log.routeSeen("p1", 0, ["a0", "b0"]);
    log.routeSeen("c1", 0, ["a0", "a1", "b0"]);
    log.brokerRemoved("a0", 5 * S);
    log.routeSeen("p1", 30 * S, ["b0"]);
    log.routeSeen("c1", 12 * S, ["a1", "b0"]);
    expect(log.staleRouteNsMax()).toBe(25 * S);
  });

  it("stops at the broker's return when that comes before the client's next poll, and ignores clients whose route never named it", () => {
    const log = new RouteLog();
    log.routeSeen("p1", 0, ["a0", "b0"]);
    log.routeSeen("p2", 0, ["b0"]);
    log.brokerRemoved("a0", 3 * S);
    log.brokerRegistered("a0", 6 * S);
    expect(log.staleRouteNsMax()).toBe(3 * S);
    expect(new RouteLog().staleRouteNsMax()).toBe(0);
  });
});
