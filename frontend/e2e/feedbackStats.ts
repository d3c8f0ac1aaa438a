import { expect, type Page } from '@playwright/test'

/** `GET /feedback/stats` as the API answers it. */
export interface Stats {
  total: number
  by_label: Record<string, number>
  agreement: number | null
  by_model_version: Record<string, { total: number; agreement: number }>
}

/** The service's feedback counts, read through the preview server's proxy as the SPA reads them. */
export async function stats(page: Page): Promise<Stats> {
  const response = await page.request.get('/feedback/stats')
  expect(response.status()).toBe(200)
  return (await response.json()) as Stats
}
