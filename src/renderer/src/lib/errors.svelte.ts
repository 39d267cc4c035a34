// Every failure ends up here and is shown in the ErrorBanner; nothing is swallowed silently.
export interface ShownError {
  id: number
  message: string
}

let nextId = 1
export const errors = $state<{ list: ShownError[] }>({ list: [] })

export function report(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err)
  // the same failure repeated (e.g. every page of a scroll) is shown once
  if (errors.list.some((e) => e.message === message)) return
  errors.list.push({ id: nextId++, message })
  if (errors.list.length > 3) errors.list.shift()
}

export function dismiss(id: number): void {
  errors.list = errors.list.filter((e) => e.id !== id)
}

/** Runs a UI action and shows its failure, if any, in the banner. */
export async function reported(action: () => Promise<void>): Promise<void> {
  try {
    await action()
  } catch (err) {
    report(err)
  }
}
