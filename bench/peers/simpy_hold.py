"""The hold model on SimPy (bench/peers.ts runs it when SimPy is installed).

N processes each wait an exponential delay (mean 1 ms, in nanoseconds) and
wait again: N events pending at all times, one fired and one scheduled per
step, as in mqsim's HoldModel. Prints one JSON line: events fired and
seconds of wall time, after a warm-up.
"""
import json
import random
import sys
import time

import simpy

MEAN_NS = 1_000_000.0


def main() -> None:
    pending = int(sys.argv[1])
    events = int(sys.argv[2])
    env = simpy.Environment()
    rnd = random.Random(20261122)
    fired = [0]

    def hold(env):
        while True:
            yield env.timeout(round(rnd.expovariate(1.0 / MEAN_NS)))
            fired[0] += 1

    for _ in range(pending):
        env.process(hold(env))
    # About `events` events happen in events / pending mean delays.
    span = MEAN_NS * events / pending
    env.run(until=env.now + span / 4)  # warm-up
    before = fired[0]
    started = time.perf_counter()
    env.run(until=env.now + span)
    seconds = time.perf_counter() - started
    print(json.dumps({"events": fired[0] - before, "seconds": seconds, "simpy": simpy.__version__}))


if __name__ == "__main__":
    main()
