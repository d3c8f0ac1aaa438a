import { useLayoutEffect, useState, type RefObject } from 'react'
import { labelRows, type LabelRow } from '../lib/numberDrawing'

/**
 * The row of each digit box's label in `container` (elements matching `selector`, in document
 * order): measured after every render and on a window resize, before the browser paints, so that
 * labels that would overlap (digits written close together) go on alternate rows (`labelRows`).
 * The labels' widths depend on their text and on the font, so they are measured, not assumed.
 */
export function useLabelRows(container: RefObject<HTMLElement | null>, selector: string): readonly LabelRow[] {
  const [rows, setRows] = useState<readonly LabelRow[]>([])
  useLayoutEffect(() => {
    const measure = () => {
      const labels = container.current ? [...container.current.querySelectorAll<HTMLElement>(selector)] : []
      const next = labelRows(labels.map((label) => {
        const rect = label.getBoundingClientRect()
        return [rect.left, rect.right] as const
      }))
      // A label's row does not change its extent, so this settles after one more render.
      setRows((current) => (current.length === next.length && current.every((row, i) => row === next[i]) ? current : next))
    }
    measure()
    window.addEventListener('resize', measure)
    return () => window.removeEventListener('resize', measure)
  })
  return rows
}
