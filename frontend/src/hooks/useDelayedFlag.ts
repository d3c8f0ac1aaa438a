import { useEffect, useState } from 'react'

/**
 * True once `flag` has stayed true for `delayMs` without `key` changing; avoids a flickering
 * spinner on fast answers. A new `key` (a new request) starts the wait again, so a stream of
 * fast requests is never called slow.
 */
export function useDelayedFlag(flag: boolean, delayMs: number, key: unknown = null): boolean {
  const [elapsed, setElapsed] = useState(false)
  useEffect(() => {
    if (!flag || delayMs <= 0) return
    const timer = setTimeout(() => setElapsed(true), delayMs)
    return () => {
      clearTimeout(timer)
      setElapsed(false)
    }
  }, [flag, delayMs, key])
  if (!flag) return false
  return delayMs <= 0 || elapsed
}
