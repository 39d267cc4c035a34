// Indexing runs: scan the folders, diff against the table, embed what is new or changed in the
// worker, commit batch by batch (a killed run resumes from the last commit), then measure the dial.
import { realpath, rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Progress } from '../../shared/api'
import type { JobState } from '../../shared/events'
import type { Embedded, ImageEncoder } from '../ports/encoder'
import { isInside } from '../adapters/fs/paths'
import type { SpaceSlot } from '../space/slot'
import type { SearchSpace } from '../space/searchSpace'
import type { Job, RunControl } from './job'
import { plan, scanFolder, type FileOnDisk, type Known } from '../adapters/fs/folderScan'
import { photoLabel } from './photoLabel'
import type { PhotoRow } from '../ports/photos'
import { runFailure } from '../../shared/errors'

const BATCH = 32
const IN_FLIGHT = 2

/** The engine as indexing sees it. */
export interface IndexingHost {
  readonly dataDir: string
  readonly slot: SpaceSlot
  embedder(): ImageEncoder
  thumbPath(id: number): string
  /** the cascade's confidence for a photo's label */
  readonly cascadeThreshold: number
  /** after a run that changed the library: the signals that follow the embedding */
  indexed(): void
}

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, perSecond: 0, etaSeconds: null, skipped: 0, message: '' }

export const indexingSpec = {
  kind: 'indexing' as const,
  idle: () => IDLE,
  summary: (p: Progress) => ({ phase: p.phase, done: p.done, total: p.total, perSecond: p.perSecond, etaSeconds: p.etaSeconds, message: p.message }),
  ended: (p: Progress): JobState => (p.phase === 'idle' ? 'idle' : p.message.startsWith('indexing failed') ? 'failed' : 'done')
}

export class Indexer {
  private again = false
  /** a model switch is flipping tables: runs wait until it is done */
  private held = false

  constructor(
    private readonly host: IndexingHost,
    private readonly job: Job<'indexing', Progress>
  ) {}

  private get stopping(): boolean {
    return this.job.stopping
  }

  start(): void {
    if (this.job.busy || this.held) {
      this.again = true
      return
    }
    this.job.start({}, (ctl) => this.loop(ctl), (err) => ({ phase: 'done', message: runFailure(err, this.host.dataDir) }))
  }

  idle(): Promise<void> {
    return this.job.idle()
  }

  progress(): Progress {
    return this.job.current()
  }

  async stop(): Promise<void> {
    this.job.stop()
    await this.idle()
  }

  /** Stops a run at its next batch (what it committed stays) and keeps new runs from starting. */
  async hold(): Promise<void> {
    this.held = true
    if (this.job.busy) {
      this.again = true // finish it after the release
      await this.stop()
    }
  }

  /** Lets runs start again, and starts the one asked for meanwhile. */
  release(): void {
    this.held = false
    if (this.again) {
      this.again = false
      this.start()
    }
  }

  private async loop(ctl: RunControl): Promise<void> {
    do {
      this.again = false
      try {
        await this.runOnce()
      } catch (err) {
        this.report('done', 0, 0, 0, 0, runFailure(err, this.host.dataDir))
      }
    } while (this.again && !ctl.stopping)
  }

  private report(phase: Progress['phase'], done: number, total: number, skipped: number, startMs: number, message: string): void {
    const secs = (performance.now() - startMs) / 1000
    const perSecond = phase === 'indexing' && secs > 0 ? done / secs : 0
    const etaSeconds = perSecond > 0 ? (total - done) / perSecond : null
    this.job.set({ phase, done, total, perSecond, etaSeconds, skipped, message })
  }

  private async runOnce(): Promise<void> {
    const host = this.host
    const space = host.slot.current
    const store = space.store
    const t0 = performance.now()
    this.report('scanning', 0, 0, 0, t0, 'looking for photos')
    const folders = await store.listFolders()
    const files: FileOnDisk[] = []
    const problems: { path: string; reason: string }[] = []
    const realRoots = (await Promise.all(folders.map((f) => realpath(f).catch(() => null)))).filter((r) => r !== null)
    for (const folder of folders) {
      const res = await scanFolder(folder, () => this.stopping, realRoots)
      // one by one: a spread of 150,000 arguments overflows the call stack
      for (const f of res.files) files.push(f)
      for (const p of res.problems) problems.push(p)
    }
    // a scan cut short lists only some of the files: the rest are not gone, so act on none of it
    if (this.stopping) return
    const indexed = new Map<string, Known>()
    const orphans: number[] = []
    for (const m of space.meta.values()) {
      if (folders.some((f) => isInside(m.path, f))) indexed.set(m.path, { id: m.id, size: m.size, mtime_ms: m.mtime_ms, stale: m.model !== space.modelId })
      else orphans.push(m.id)
    }
    const skippedBefore = await store.listSkipped()
    const work = plan(files, indexed, new Map(skippedBefore.map((s) => [s.path, s])))
    const gone = [...orphans, ...work.toDelete]
    if (gone.length) {
      await store.deleteIds(gone)
      host.slot.removeRows(gone)
      await Promise.all(gone.map((id) => rm(host.thumbPath(id), { force: true })))
    }
    // forget skip reasons of files that are gone or outside the library now
    const onDisk = new Set(files.map((f) => f.path))
    // and of files indexed since (a run killed between the row commit and this clean-up leaves both)
    const problemPaths = new Set(problems.map((p) => p.path))
    await store.clearSkipped(skippedBefore.filter((s) => (!onDisk.has(s.path) && !problemPaths.has(s.path)) || indexed.has(s.path)).map((s) => s.path))
    await store.setSkipped(problems.map((p) => ({ ...p, size: 0, mtime_ms: 0 })))

    let nextId = space.vectors.allIds().reduce((m, id) => Math.max(m, id), -1) + 1
    const wasIndexed = new Set(work.toIndex.flatMap((f) => (f.id === null ? [] : [f.id])))
    const jobs = work.toIndex.map((f) => ({ ...f, id: f.id ?? nextId++ }))
    let skipped = (await store.listSkipped()).length
    let done = 0
    const total = jobs.length
    const tIndex = performance.now()
    this.report('indexing', 0, total, skipped, tIndex, `${total} new or changed, ${work.unchanged} unchanged`)
    const batches: (typeof jobs)[] = []
    for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH))
    const embedder = host.embedder()
    const inFlight: Promise<{ ok: Embedded[]; failed: { path: string; reason: string }[] }>[] = []
    let sent = 0
    const send = () => {
      const b = batches[sent++]
      const reply = embedder.embed(b.map((f) => ({ path: f.path, thumbPath: host.thumbPath(f.id) })))
      reply.catch(() => {}) // awaited below in order; a later batch failing first must not crash the process
      inFlight.push(reply)
    }
    try {
      while (sent < Math.min(IN_FLIGHT, batches.length)) send()
      for (let i = 0; i < batches.length && !this.stopping; i++) {
        const res = await inFlight.shift()!
        if (sent < batches.length) send()
        const byPath = new Map(batches[i].map((f) => [f.path, f]))
        const rows = res.ok.map((r) => this.row(space, byPath.get(r.path)!, r))
        // new paths are appended, re-indexed ones replaced by path: each a whole commit
        await store.insert(rows.filter((r) => !wasIndexed.has(r.id)))
        await store.upsert(rows.filter((r) => wasIndexed.has(r.id)))
        host.slot.applyRows(rows, rows.map((r) => r.embedding))
        await store.clearSkipped(rows.map((r) => r.path))
        // an indexed photo whose file became unreadable is no longer that photo: drop its row
        const stale = res.failed.map((f) => byPath.get(f.path)!.id).filter((id) => wasIndexed.has(id))
        if (stale.length) {
          await store.deleteIds(stale)
          host.slot.removeRows(stale)
        }
        await store.setSkipped(res.failed.map((f) => ({ ...f, size: byPath.get(f.path)!.size, mtime_ms: byPath.get(f.path)!.mtimeMs })))
        skipped += res.failed.length
        done += batches[i].length
        this.report('indexing', done, total, skipped, tIndex, `${done} of ${total}`)
      }
    } finally {
      await Promise.allSettled(inFlight)
    }
    if (this.stopping) return
    if (total > 0 || gone.length > 0) {
      await store.optimize()
      await store.setSignalVersion('embedding', space.modelId) // the first signal: every row is this model's now
      space.persistShortlists()
      this.report('calibrating', done, total, skipped, tIndex, 'measuring the dial on this library')
      await space.calibrateDial()
    }
    const secs = (performance.now() - t0) / 1000
    this.report('done', done, total, skipped, tIndex, `${space.vectors.size} photos indexed; ${total} processed in ${secs.toFixed(1)} s`)
    host.indexed() // search is ready: the other signals follow
  }

  private row(space: SearchSpace, f: FileOnDisk & { id: number }, r: Embedded): PhotoRow {
    return {
      id: f.id,
      path: f.path,
      folder: f.folder,
      name: basename(f.path),
      hash: r.facts.hash,
      size: f.size,
      mtime_ms: f.mtimeMs,
      width: r.facts.width,
      height: r.facts.height,
      taken_at: r.facts.takenAt,
      camera: r.facts.camera,
      lens: r.facts.lens,
      latitude: r.facts.latitude,
      longitude: r.facts.longitude,
      orientation: r.facts.orientation,
      ...photoLabel(space.model, r.logits, this.host.cascadeThreshold),
      embedding: r.embedding
    }
  }
}
