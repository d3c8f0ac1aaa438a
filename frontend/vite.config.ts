/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig, type ProxyOptions } from 'vite'

/** Where the FastAPI backend runs; the dev server and `vite preview` proxy API paths to it. */
const apiTarget = process.env.DIGITS_API_URL ?? 'http://127.0.0.1:8000'

/** Backend paths served through the proxy so that the SPA can call its API on the same origin. */
const apiPaths = ['/predict', '/health', '/models', '/docs', '/redoc', '/openapi.json', '/feedback']

const proxy: Record<string, ProxyOptions> = Object.fromEntries(
  apiPaths.map((path) => [path, { target: apiTarget, changeOrigin: true }]),
)

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy,
  },
  build: {
    rolldownOptions: {
      output: {
        // Long-lived vendor chunks: the app's own code changes far more often than these.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 5173,
    proxy,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    // The App tests render the whole page; on a loaded 2-core CI machine 5 s is too tight.
    testTimeout: 20_000,
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // `npm test` runs with coverage; below these floors (set just under what was measured) it fails.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}'],
      // The entry point only mounts the app; schema.ts is generated types; tests and their helpers.
      exclude: ['src/main.tsx', 'src/api/schema.ts', 'src/vite-env.d.ts', 'src/test/**', 'src/**/*.test.{ts,tsx}'],
      reporter: ['text-summary', 'html'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 96, statements: 94, functions: 94, branches: 89 },
    },
  },
})
