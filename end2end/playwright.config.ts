import path from "node:path";
import { defineConfig } from "@playwright/test";
import chromiumLaunch from "./chromium.cjs";

// The release server (`target/release/vinovoyant`, or E2E_SERVER_BIN) serves the
// site built by scripts/build-site.sh; Playwright starts it and waits for its
// liveness probe.
// E2E_BASE_URL points the tests at a server that is already running instead.
const repoRoot = path.resolve(__dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3457);
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // One server on a 2-core machine: run the tests one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL,
    browserName: "chromium",
    // Debian's Chromium; Playwright cannot download its own browser here.
    launchOptions: chromiumLaunch,
    trace: "retain-on-failure",
  },
  webServer: external
    ? undefined
    : {
        command: path.resolve(repoRoot, process.env.E2E_SERVER_BIN ?? "target/release/vinovoyant"),
        cwd: repoRoot,
        url: `${baseURL}/health/live`,
        env: {
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          VINOVOYANT_SITE_ROOT: path.join(repoRoot, "target/site"),
          VINOVOYANT_LOG_FORMAT: "text",
          VINOVOYANT_EMF: "false",
        },
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: "ignore",
        stderr: "pipe",
      },
});
