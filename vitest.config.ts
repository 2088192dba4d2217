import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {

    projects: [
      {
        test: {
          name: "unit",
          include: ["server/**/*.test.ts", "app/**/*.test.ts", "bench/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
