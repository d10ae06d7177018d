import type { SystemAnomaly } from "../../run/anomaly.js";
import type { ActiveMqRunResult } from "./run.js";

export const ACTIVEMQ_ANOMALIES: readonly SystemAnomaly<ActiveMqRunResult>[] = [];
