import { describe, expect, it } from "vitest";
import { deliveryLatenciesNs } from "./delivery-latency.js";
import { History } from "../history/history.js";

describe("deliveryLatenciesNs", () => {
  it("measures from each send to its delivery to the named consumer, from the given time on", () => {
    const history = new History();
    history.record({ type: "send", timeNs: 10, client: "p1", idFirst: 0, count: 1 });
    history.record({ type: "send", timeNs: 100, client: "p1", idFirst: 1, count: 1 });
    history.record({ type: "deliver", timeNs: 130, client: "c1", group: "g", stream: "t-0", position: 0, idFirst: 0, count: 1 });
    history.record({ type: "deliver", timeNs: 150, client: "c1", group: "g", stream: "t-0", position: 1, idFirst: 1, count: 1 });
    history.record({ type: "deliver", timeNs: 900, client: "final-reader", group: "final", stream: "t-0", position: 0, idFirst: 0, count: 2 });
    expect(deliveryLatenciesNs(history, "c1", 0)).toEqual([120, 50]);
    // The first send is before the consumer settled; the final read is another client.
    expect(deliveryLatenciesNs(history, "c1", 50)).toEqual([50]);
  });
});
