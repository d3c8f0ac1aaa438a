import { useCallback, useState } from 'react'
import { safeStorage } from '../lib/clientId'

/** localStorage key of the switch; 'off' when the user turned feedback off. */
export const CONSENT_KEY = 'digits.feedback'

export interface FeedbackConsent {
  /** Drawings may be sent as feedback. */
  enabled: boolean
  setEnabled: (enabled: boolean) => void
}

/** Whether feedback is on: on until the user turns it off, remembered in this browser. */
export function useFeedbackConsent(): FeedbackConsent {
  const [enabled, setState] = useState(() => safeStorage()?.getItem(CONSENT_KEY) !== 'off')
  const setEnabled = useCallback((next: boolean) => {
    setState(next)
    try {
      safeStorage()?.setItem(CONSENT_KEY, next ? 'on' : 'off')
    } catch {
      // storage blocked: the choice holds for this visit only
    }
  }, [])
  return { enabled, setEnabled }
}
