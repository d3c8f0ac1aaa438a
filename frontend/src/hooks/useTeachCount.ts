import { useCallback, useState } from 'react'
import { safeStorage } from '../lib/clientId'

export const TEACH_COUNT_KEY = 'digits.taught'

function read(): number {
  const value = Number(safeStorage()?.getItem(TEACH_COUNT_KEY) ?? 0)
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0
}

/** How many drawings this browser has given as feedback (kept in localStorage). */
export function useTeachCount(): { count: number; add: () => void } {
  const [count, setCount] = useState(read)
  const add = useCallback(() => {
    setCount((current) => {
      const next = current + 1
      try {
        safeStorage()?.setItem(TEACH_COUNT_KEY, String(next))
      } catch {
        // storage blocked: counted for this visit only
      }
      return next
    })
  }, [])
  return { count, add }
}
