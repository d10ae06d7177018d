import { distribution, Kernel, NS_PER_SEC } from "../index.js";

/** An M/D/1 queue on mqsim's kernel: Poisson arrivals, one server, a fixed service time. Returns the mean wait in the queue, in ns. */
export function md1MeanWaitNs(seed: number, arrivalsPerSec: number, serviceNs: number, customers: number): number {
  const kernel = new Kernel({ seed });
  const arrivals = kernel.rng.stream("arrivals");
  const gap = distribution({ kind: "exponential", mean: NS_PER_SEC / arrivalsPerSec });
  const waiting: number[] = []; // arrival times of the customers in the queue
  let isBusy = false;
  let served = 0;
  let waitedNs = 0;
  const startService = (): void => {
    const arrivedNs = waiting.shift()!;
    waitedNs += kernel.now - arrivedNs;
    isBusy = true;
    kernel.scheduler.after(serviceNs, onServed);
  };
  const onServed = (): void => {
    isBusy = false;
    if (++served === customers) return kernel.scheduler.stop();
    if (waiting.length > 0) startService();
  };
  const onArrival = (): void => {
    waiting.push(kernel.now);
    if (!isBusy) startService();
    kernel.scheduler.after(Math.round(gap.sample(arrivals)), onArrival);
  };
  kernel.scheduler.after(Math.round(gap.sample(arrivals)), onArrival);
  kernel.scheduler.run();
  return waitedNs / served;
}
