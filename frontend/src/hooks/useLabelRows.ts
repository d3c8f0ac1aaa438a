import { useLayoutEffect, useState, type RefObject } from 'react'
import { labelRows, type LabelRow } from '../lib/numberDrawing'

/**
 * The row of each digit box's label in `container` (elements matching `selector`, in document
 * order), so that labels that would overlap (digits written close together) go on alternate rows
 * (`labelRows`). The labels' widths depend on their text and on the font, so they are measured,
 * not assumed: before the browser paints, whenever `labels` (what the labels say and where their
 * boxes are) changes, and on a window resize; not on every render (each pen move renders the pad).
 */
export function useLabelRows(container: RefObject<HTMLElement | null>, selector: string, labels: string): readonly LabelRow[] {
  const [rows, setRows] = useState<readonly LabelRow[]>([])
  useLayoutEffect(() => {
    const measure = () => {
      const elements = container.current ? [...container.current.querySelectorAll<HTMLElement>(selector)] : []
      const next = labelRows(
        elements.map((label) => {
          const rect = label.getBoundingClientRect()
          return [rect.left, rect.right] as const
        }),
      )
      // A label's row does not change its extent, so one measurement settles it.
      setRows((current) => (current.length === next.length && current.every((row, i) => row === next[i]) ? current : next))
    }
    measure()
    window.addEventListener('resize', measure)
    return () => window.removeEventListener('resize', measure)
  }, [container, selector, labels])
  return rows
}
