import { withBase } from "@repo/vitest-config";
import { configDefaults } from "vitest/config";

export default withBase({
  // Needs a container engine: run by `pnpm test:broken-images` (and .ci/run), not `pnpm test`.
  test: { exclude: [...configDefaults.exclude, "test/image-gate/**"] },
});
