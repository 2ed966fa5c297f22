import { withBase } from "@repo/vitest-config";

export default withBase({
  // one PostgreSQL server for the whole run; each test file creates its own database on it
  test: { globalSetup: ["test/support/postgres.ts"] },
});
