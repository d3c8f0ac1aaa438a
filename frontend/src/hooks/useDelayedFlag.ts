import { useEffect, useState } from 'react'

/** True once `flag` has stayed true for `delayMs`; avoids a flickering spinner on fast answers. */
export function useDelayedFlag(flag: boolean, delayMs: number): boolean {
  const [elapsed, setElapsed] = useState(false)
  useEffect(() => {
    if (!flag || delayMs <= 0) return
    const timer = setTimeout(() => setElapsed(true), delayMs)
    return () => {
      clearTimeout(timer)
      setElapsed(false)
    }
  }, [flag, delayMs])
  if (!flag) return false
  return delayMs <= 0 || elapsed
}
