import { useEffect, useState } from 'react'

/** The pointer type ('mouse', 'touch', 'pen') of the latest pointerdown on the page, or null. */
export function usePointerType(): string | null {
  const [type, setType] = useState<string | null>(null)
  useEffect(() => {
    const onDown = (event: PointerEvent) => setType(event.pointerType || null)
    window.addEventListener('pointerdown', onDown, { capture: true, passive: true })
    return () => window.removeEventListener('pointerdown', onDown, { capture: true })
  }, [])
  return type
}
