/** 0.9731 → "97.3%"; values at the extremes keep a decimal so 99.96% does not read as certain. */
export function formatPercent(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const percent = Math.min(1, Math.max(0, value)) * 100
  return `${percent.toFixed(1)}%`
}

/** The most likely digit other than `digit` (the runner-up of a prediction). */
export function runnerUp(probabilities: readonly number[], digit: number): number {
  let best = -1
  probabilities.forEach((p, d) => {
    if (d !== digit && (best === -1 || p > (probabilities[best] ?? -Infinity))) best = d
  })
  return best
}
