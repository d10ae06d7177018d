import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "properties/**/*.test.ts", "bench/**/*.test.ts"],
    setupFiles: ["properties/fast-check-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores on CI: more workers than cores only adds contention.
    maxWorkers: 2,
  },
});
