import { defineConfig } from "vitest/config";

/** test/image-gate: real images, built and run by a container engine (see the test's header). */
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/image-gate/**/*.test.ts"],
    // One engine and one image at a time: the machine's CPU is the limit, not the test.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
