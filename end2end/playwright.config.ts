import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3107);
/** A second portal with the demo's months of history, for the specs that read a living center. */
export const historyPort = Number(process.env.E2E_HISTORY_PORT ?? port + 1);

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: "../scripts/e2e-server.sh",
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { E2E_PORT: String(port) },
    },
    {
      command: "../scripts/e2e-server.sh",
      url: `http://127.0.0.1:${historyPort}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: { E2E_PORT: String(historyPort), E2E_HISTORY: "1" },
    },
  ],
});
