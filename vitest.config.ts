import { defineConfig } from "vitest/config";

// Timeouts are for hung tests only, never a speed check: machines are shared and slow ones must
// pass. Site builds and browser runs take minutes on a busy 2-core machine.
export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    teardownTimeout: 60_000
  }
});
