// Quitting: the engine closes in order (its jobs stop at a safe point, then its files), but a quit
// must never hang on a job that does not stop: after a while the shell leaves anyway. Crash safety
// is by design (every commit is atomic, interrupted jobs resume), so leaving costs only redone work.
import type { Engine } from '../app/engine'

/** How long a close may take before the shell leaves without it. */
export const CLOSE_WITHIN_MS = 30_000

/** Closes the engine; resolves false (after saying what it waited on) if that took over `ms`. */
export async function closeWithin(engine: Engine, ms = CLOSE_WITHIN_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  const closed = engine.close().then(
    () => true as const,
    (err) => {
      console.error(`closing failed: ${(err as Error).message}`)
      return true as const
    }
  )
  const done = await Promise.race([closed, late])
  clearTimeout(timer)
  if (!done) console.error(`closing still waited on ${engine.closing ?? 'the engine'} after ${ms / 1000} s: leaving without it (the next start redoes what was left)`)
  return done
}
