import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig, devices } from '@playwright/test'

/**
 * End-to-end tests against the real backend and the production build of the SPA.
 * `npm run test:e2e` builds first; both servers are started here.
 *
 * The browser is Debian's Chromium (`apt-get install chromium`); Playwright's own browser
 * downloads are not used.
 */
// Ports are settings so that several checkouts can run their suites side by side.
const API_PORT = Number(process.env.E2E_API_PORT ?? 8765)
const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 4173)
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${WEB_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } },
    },
  ],
  webServer: [
    {
      // The real FastAPI backend with its trained model.
      command: `${process.env.DIGITS_BACKEND_PYTHON ?? '../backend/.venv/bin/python'} -m uvicorn app.main:app --host 127.0.0.1 --port ${API_PORT} --no-access-log`,
      cwd: '../backend',
      url: `http://127.0.0.1:${API_PORT}/health`,
      // Feedback goes to a database of the test run's own, not backend/data/.
      env: { DATABASE_URL: `sqlite:///${join(tmpdir(), `digits-e2e-${API_PORT}`, 'feedback.db')}` },
      reuseExistingServer: !process.env.CI,
      // Loading TensorFlow and the model takes a while on a small machine.
      timeout: 240_000,
      stderr: 'pipe',
    },
    {
      // The built SPA; its preview server proxies the API paths to the backend above.
      command: `npx vite preview --port ${WEB_PORT} --strictPort`,
      url: `http://127.0.0.1:${WEB_PORT}`,
      env: { DIGITS_API_URL: `http://127.0.0.1:${API_PORT}` },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
})
