// Failures the user should see and that belong to no one screen (a page that failed to load, a
// rejected action) end up here and show in the ErrorBanner: at most two at once, each going away
// by itself after a while (or at once when dismissed), and all of them when the user moves to
// another screen. A search's own failure is shown in its results instead (search.svelte.ts).
export interface ShownError {
  id: number
  message: string
}

const MAX_SHOWN = 2
const SHOWN_MS = 8000

let nextId = 1
const timers = new Map<number, ReturnType<typeof setTimeout>>()
export const errors = $state<{ list: ShownError[] }>({ list: [] })

export function report(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err)
  // the same failure repeated (e.g. every page of a scroll) is shown once, for longer
  const same = errors.list.find((e) => e.message === message)
  if (same) return void expireLater(same.id)
  const id = nextId++
  errors.list.push({ id, message })
  while (errors.list.length > MAX_SHOWN) dismiss(errors.list[0].id)
  expireLater(id)
}

function expireLater(id: number): void {
  clearTimeout(timers.get(id))
  timers.set(id, setTimeout(() => dismiss(id), SHOWN_MS))
}

export function dismiss(id: number): void {
  clearTimeout(timers.get(id))
  timers.delete(id)
  errors.list = errors.list.filter((e) => e.id !== id)
}

/** Moving to another screen: what went wrong on the last one is no longer news. */
export function dismissAll(): void {
  for (const e of errors.list) dismiss(e.id)
}

/** Runs a UI action and shows its failure, if any, in the banner. */
export async function reported(action: () => Promise<void>): Promise<void> {
  try {
    await action()
  } catch (err) {
    report(err)
  }
}
