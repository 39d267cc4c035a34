// The renderer's one subscription to the jobs' events (src/shared/events.ts): opened once at app
// start (AppState.init), each event handed by kind to the store that shows that job. Nothing polls.
import type { JobDetail, JobEvent, JobKind } from '../../../shared/events'
import { onJob } from './client'

/** Who shows each job; a kind without one (signals, for now) is dropped. */
export type JobHandlers = { [K in JobKind]?: (detail: JobDetail<K>) => void }

/** Subscribes once and dispatches every event by kind; returns the unsubscribe. */
export function followJobs(to: JobHandlers): () => void {
  return onJob((e: JobEvent) => {
    // the union narrows per case, so each handler gets its own detail type
    switch (e.kind) {
      case 'indexing':
        return to.indexing?.(e.detail)
      case 'reembedding':
        return to.reembedding?.(e.detail)
      case 'adaptor':
        return to.adaptor?.(e.detail)
      case 'finetune':
        return to.finetune?.(e.detail)
      case 'signals':
        return to.signals?.(e.detail)
    }
  })
}

/**
 * A job's status comes two ways: pushed events, and the answers of API calls (the action that
 * started the run, a store's first read). An answer can arrive after a newer event (another
 * connection in browser mode), so a store counts its job's events here and drops an answer's
 * status when an event came in while the call was out: that event is at least as new, and every
 * later change comes as an event too.
 */
export class Freshness {
  #events = 0

  /** an event of the job arrived */
  saw(): void {
    this.#events++
  }

  /** Runs the call; `raced` when an event of the job arrived before its answer. */
  async call<T>(fn: () => Promise<T>): Promise<{ value: T; raced: boolean }> {
    const before = this.#events
    const value = await fn()
    return { value, raced: this.#events !== before }
  }
}
