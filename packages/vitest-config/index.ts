import { defineConfig, mergeConfig, type ViteUserConfig } from "vitest/config";

/** Coverage floor for every package: below it `vitest run --coverage` fails. */
export const coverageThresholds = {
  lines: 80,
  branches: 80,
  functions: 80,
  statements: 80,
} as const;

/**
 * The base config every package extends: node environment, v8 coverage over `src/`,
 * thresholds enforced, a text summary for the terminal and json-summary for CI.
 */
export const baseConfig = defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      thresholds: { ...coverageThresholds },
    },
  },
});

/** Extend the base config with package-specific settings. */
export function withBase(config: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(baseConfig, config);
}
