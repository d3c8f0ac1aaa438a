// The JavaScript the SPA ships, gzip-compressed as a server sends it, against a budget.
// Run after `vite build` (npm run test:e2e does); exits 1 over budget. Prints each chunk and the total.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/** Budget for all JS chunks together, gzip level 9, in kB (1000 bytes): about 201 kB measured, plus room. */
const BUDGET_KB = Number(process.env.JS_GZIP_BUDGET_KB ?? 230)
const dir = 'dist/assets'
let total = 0
for (const file of readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
  const bytes = gzipSync(readFileSync(join(dir, file)), { level: 9 }).length
  total += bytes
  console.log(`${file.padEnd(40)} ${(bytes / 1000).toFixed(1).padStart(7)} kB gzip`)
}
const verdict = total / 1000 <= BUDGET_KB ? 'within' : 'OVER'
console.log(`JS total: ${(total / 1000).toFixed(1)} kB gzip, ${verdict} the budget of ${BUDGET_KB} kB`)
if (verdict === 'OVER') process.exit(1)
