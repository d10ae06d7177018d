// Worker entry when mqsim runs from its TypeScript sources (tsx, vitest): on
// Node 20 a worker thread does not pick up tsx's loader from `--import tsx`
// in its execArgv, so this plain JavaScript file loads the TypeScript worker
// through tsx's own API. The built package (dist/) uses sweep-worker.js
// directly and never loads this file.
import { tsImport } from "tsx/esm/api";

const worker = await tsImport("./sweep-worker.ts", import.meta.url);

export default worker.default;
