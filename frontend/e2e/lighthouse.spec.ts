/**
 * Lighthouse gate: the built SPA (as `vite build` makes it, served by the preview server with
 * the real API behind it) scores performance >= 90, accessibility >= 95 and best practices
 * >= 95, on Lighthouse's mobile settings (a mid-range phone: 4x CPU slowdown, slow 4G,
 * simulated) and on its desktop settings.
 *
 * Lighthouse (npm `lighthouse`) drives a Chromium of its own through chrome-launcher: Debian's
 * `/usr/bin/chromium` (CHROMIUM_PATH), headless, started with the flags the other tests use.
 * Scores vary by a few points from run to run on a busy machine; each run is printed.
 */
import { expect, test } from '@playwright/test'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import desktopConfig from 'lighthouse/core/config/desktop-config.js'

const GATES = { performance: 90, accessibility: 95, 'best-practices': 95 } as const
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

for (const preset of ['mobile', 'desktop'] as const) {
  test(`lighthouse: performance, accessibility and best practices over the gates (${preset})`, async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(180_000)
    const chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      chromeFlags: CHROMIUM_FLAGS,
    })
    try {
      const result = await lighthouse(
        `${baseURL}/`,
        { port: chrome.port, logLevel: 'error', onlyCategories: Object.keys(GATES) },
        preset === 'desktop' ? desktopConfig : undefined,
      )
      expect(result, 'Lighthouse returned no result').toBeDefined()
      const lhr = result!.lhr
      expect(lhr.runtimeError, lhr.runtimeError?.message).toBeUndefined()
      const scores = Object.fromEntries(
        Object.keys(GATES).map((id) => [id, Math.round((lhr.categories[id]?.score ?? 0) * 100)]),
      ) as Record<keyof typeof GATES, number>
      const metrics = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift']
        .map((id) => `${id} ${lhr.audits[id]?.displayValue ?? '?'}`)
        .join(', ')
      console.log(
        `lighthouse ${lhr.lighthouseVersion} ${preset}: ` +
          Object.entries(scores).map(([id, score]) => `${id} ${score}`).join(', ') +
          ` (${metrics})`,
      )
      await testInfo.attach(`lighthouse-${preset}.json`, {
        body: JSON.stringify({ preset, scores, metrics, lighthouse: lhr.lighthouseVersion }, null, 2),
        contentType: 'application/json',
      })
      for (const [id, gate] of Object.entries(GATES)) {
        const failing = Object.values(lhr.audits)
          .filter((audit) => audit.score !== null && audit.score < 0.9 && audit.scoreDisplayMode !== 'informative')
          .map((audit) => `${audit.id} ${audit.displayValue ?? audit.score}`)
        expect(scores[id as keyof typeof GATES], `${id} under ${gate}; audits under 90: ${failing.join('; ')}`).toBeGreaterThanOrEqual(gate)
      }
    } finally {
      chrome.kill()
    }
  })
}
