// Per-photo signals beside the embedding (dominant colours; faces, text and places next): each has
// its own table (SignalTable) and its own staleness (the version that computed a row, and the file
// hash it saw), and one job brings them up to date after indexing, so search is ready first.
import type { FileHandle } from 'node:fs/promises'
import type { JobState, SignalProgress } from '../../shared/events'
import type { PhotoMeta } from '../ports/photos'
import { SignalTable } from '../adapters/lance/signalTable'
import { openInside } from '../adapters/fs/openInside'
import type { Job, RunControl } from './job'

/** What a signal computes a photo's value from. */
export interface SignalInput {
  photo: PhotoMeta
  /** the thumbnail indexing made (320 px, upright): enough for colours, not for faces or text */
  thumbPath: string
  /** opens the original read-only, checked to lie inside the library folders (adapters/fs/openInside.ts) */
  open(): Promise<FileHandle>
}

/** One signal: how a photo's value is computed, and the version that says which rows are stale. */
export interface SignalDefinition<T> {
  /** its table is signal_<name> */
  name: string
  /** bumped when `compute` changes: rows of another version are computed again */
  version: string
  /** photos per commit (default 32): a cheap signal commits more at once (a LanceDB commit costs ~0.1 s) */
  batch?: number
  /** heavy work (a model) belongs in a worker thread of the signal's own, started by `start` */
  compute(input: SignalInput): Promise<T>
  /** before a run that has photos to compute: load a model, start a worker */
  start?(): Promise<void>
  /** after the run: release what `start` took, so an idle app stays light */
  stop?(): Promise<void>
  /** every up-to-date value, after a run or at open: build an index over them (places, faces, text) */
  changed?(values: ReadonlyMap<number, T>): void | Promise<void>
  /** the value's words for LanceDB's full-text index (`Signals.searchText`), for signals that have words */
  text?(value: T): string
}

export interface SignalsHost {
  readonly dataDir: string
  photos(): Iterable<PhotoMeta>
  thumbPath(id: number): string
  /** the library folders' real paths, which a photo must lie inside to be opened */
  roots(): Promise<string[]>
}

const BATCH = 32
const IDLE: SignalProgress = { phase: 'idle', signal: null, done: 0, total: 0, message: '' }

export const signalsSpec = {
  kind: 'signals' as const,
  idle: () => IDLE,
  summary: (p: SignalProgress) => ({ phase: p.phase, done: p.done, total: p.total, perSecond: 0, etaSeconds: null, message: p.message }),
  ended: (p: SignalProgress): JobState => (p.phase === 'computing' ? 'cancelled' : p.phase)
}

interface Held {
  def: SignalDefinition<unknown>
  table: SignalTable
  rows: Map<number, { hash: string; version: string; value: unknown }>
}

export class Signals {
  private held: Held[] = []
  private again = false

  constructor(
    private readonly host: SignalsHost,
    private readonly job: Job<'signals', SignalProgress>,
    private readonly defs: SignalDefinition<unknown>[]
  ) {}

  /** Opens every signal's table and reads it into memory. */
  async open(): Promise<void> {
    for (const def of this.defs) {
      const table = await SignalTable.open(this.host.dataDir, def.name, { fullText: !!def.text })
      const rows = new Map((await table.all()).map((r) => [r.id, { hash: r.hash, version: r.version, value: JSON.parse(r.value) as unknown }]))
      this.held.push({ def, table, rows })
    }
    for (const h of this.held) await h.def.changed?.(this.values(h.def.name))
  }

  /** Every photo's up-to-date value of a signal, by photo id. */
  values<T>(name: string): Map<number, T> {
    const out = new Map<number, T>()
    const h = this.held.find((x) => x.def.name === name)
    if (!h) return out
    for (const p of this.host.photos()) {
      const v = this.value<T>(name, p)
      if (v !== undefined) out.set(p.id, v)
    }
    return out
  }

  /** A photo's value of a signal, when it is up to date with the photo and the signal's version. */
  value<T>(name: string, photo: PhotoMeta): T | undefined {
    const h = this.held.find((x) => x.def.name === name)
    const row = h?.rows.get(photo.id)
    return row && row.version === h!.def.version && row.hash === photo.hash ? (row.value as T) : undefined
  }

  /**
   * Photos whose words (a signal with `text`) hold every query word, best first, up to date only:
   * a row computed from another version of the file or by another version of the signal is skipped.
   */
  async searchText(name: string, words: string[], limit: number, photo: (id: number) => PhotoMeta | undefined): Promise<{ id: number; text: string; score: number }[]> {
    const h = this.held.find((x) => x.def.name === name)
    if (!h) return []
    return (await h.table.searchText(words, limit)).filter((r) => {
      const p = photo(r.id)
      return p !== undefined && this.value(name, p) !== undefined
    })
  }

  /** Brings every signal up to date in the background (again after the current run, if one goes). */
  start(): void {
    if (!this.held.length) return
    if (this.job.busy) {
      this.again = true
      return
    }
    this.job.start({ phase: 'computing' }, (ctl) => this.loop(ctl), (err) => ({ phase: 'failed', message: `a signal failed: ${(err as Error).message ?? err}` }))
  }

  idle(): Promise<void> {
    return this.job.idle()
  }

  private async loop(ctl: RunControl): Promise<void> {
    do {
      this.again = false
      for (const h of this.held) {
        if (ctl.stopping) return
        await this.update(h, ctl)
      }
    } while (this.again && !ctl.stopping)
    if (!ctl.stopping) this.job.set({ phase: 'done', signal: null, message: 'signals up to date' })
  }

  private async update(h: Held, ctl: RunControl): Promise<void> {
    const photos = new Map([...this.host.photos()].map((p) => [p.id, p]))
    const gone = [...h.rows.keys()].filter((id) => !photos.has(id))
    await h.table.delete(gone)
    for (const id of gone) h.rows.delete(id)
    const todo = [...photos.values()].filter((p) => this.value(h.def.name, p) === undefined)
    const name = h.def.name
    this.job.set({ phase: 'computing', signal: name, done: 0, total: todo.length, message: `${name}: ${todo.length} photos` })
    if (todo.length) {
      const roots = await this.host.roots()
      await h.def.start?.()
      try {
        const size = h.def.batch ?? BATCH
        for (let i = 0; i < todo.length && !ctl.stopping; i += size) {
          const batch = todo.slice(i, i + size)
          const rows = []
          for (const p of batch) {
            if (ctl.stopping) break
            const input = { photo: p, thumbPath: this.host.thumbPath(p.id), open: () => openInside(p.path, roots) }
            try {
              rows.push({ id: p.id, hash: p.hash, version: h.def.version, value: await h.def.compute(input) })
            } catch {
              // a thumbnail or file gone meanwhile: the next run tries again
            }
          }
          await h.table.put(rows.map((r) => ({ ...r, value: JSON.stringify(r.value), text: h.def.text?.(r.value) })))
          for (const r of rows) h.rows.set(r.id, r)
          const done = Math.min(i + batch.length, todo.length)
          this.job.set({ done, message: `${name}: ${done} of ${todo.length} photos` })
        }
      } finally {
        await h.def.stop?.()
      }
      // one file per batch otherwise; and new words into the full-text index
      await h.table.optimize()
    }
    if (todo.length || gone.length) await h.def.changed?.(this.values(name))
  }

  async close(): Promise<void> {
    this.job.stop()
    await this.idle()
    for (const h of this.held) h.table.close()
  }
}
