// Indexing runs: scan the folders, diff against the table, embed what is new or changed in the
// worker, commit batch by batch (a killed run resumes from the last commit), then measure the dial.
import { basename } from 'node:path'
import type { Progress } from '../../shared/api'
import type { JobState } from '../../shared/events'
import type { Embedded, ImageEncoder } from '../ports/encoder'
import { isInside } from '../adapters/fs/paths'
import type { SpaceSlot } from '../space/slot'
import type { SearchSpace } from '../space/searchSpace'
import type { Job, RunControl } from './job'
import { Planner, scanFolders, scanRoots, type Known } from '../adapters/fs/folderScan'
import { dataLayout } from '../adapters/fs/dataLayout'
import { Batches, SkipLog, removeStrayThumbnails, removeThumbnails, type BatchResult, type Planned, type Work } from './indexBatches'
import { photoLabel } from './photoLabel'
import type { PhotoRow } from '../ports/photos'
import { runFailure } from '../../shared/errors'

const BATCH = 32

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

  /** `eta`: the total is known (the scan has ended), so the time left can be told. */
  private report(phase: Progress['phase'], done: number, total: number, skipped: number, startMs: number, message: string, eta = true): void {
    const secs = (performance.now() - startMs) / 1000
    const perSecond = phase === 'indexing' && secs > 0 ? done / secs : 0
    const etaSeconds = eta && perSecond > 0 ? (total - done) / perSecond : null
    this.job.set({ phase, done, total, perSecond, etaSeconds, skipped, message })
  }

  /**
   * One run: the scan streams chunks of files into the plan, whose work goes to the worker in
   * batches as it comes (the scan and the embedding overlap, and memory stays that of a few
   * batches); what is gone is removed once the scan is whole, then the dial is measured.
   */
  private async runOnce(): Promise<void> {
    const host = this.host
    const space = host.slot.current
    const store = space.store
    const t0 = performance.now()
    this.report('scanning', 0, 0, 0, t0, 'looking for photos')
    const folders = await store.listFolders()
    const roots = await scanRoots(folders, host.dataDir)
    // the indexed photos by path (one reference each), and those outside every library folder now;
    // a folder that cannot be reached (an unplugged drive) keeps its photos until it is back or removed
    const unreachable = folders.filter((f) => roots.problems.some((p) => p.path === f && p.reason.startsWith('cannot resolve')))
    const byPath = new Map<string, number>()
    const orphans: number[] = []
    for (const m of space.meta.values()) {
      if (unreachable.some((f) => isInside(m.path, f))) continue
      if (folders.some((f) => isInside(m.path, f))) byPath.set(m.path, m.id)
      else orphans.push(m.id)
    }
    const known = (path: string): Known | undefined => {
      const id = byPath.get(path)
      const m = id === undefined ? undefined : space.meta.get(id)
      return m && { id: m.id, size: m.size, mtime_ms: m.mtime_ms, stale: m.model !== space.modelId }
    }
    const skippedBefore = new Map((await store.listSkipped()).map((s) => [s.path, s]))
    const planner = new Planner(known, skippedBefore)
    const met = new Set<string>() // paths with a skip reason before that this scan met again
    const within = { roots: roots.real, exclude: roots.exclude }
    const skipLog = new SkipLog(store, skippedBefore)
    const commit = (res: BatchResult, failedIds: number[]) => this.commit(space, res, failedIds, skippedBefore, skipLog)
    const batches = new Batches(store, host.embedder(), within, host.thumbPath, commit, () => progress(scanning))
    const queue: Planned[] = []
    let scanning = true
    let failed = true
    let found = 0
    let skipped = skippedBefore.size
    const progress = (stillScanning: boolean) => {
      const { done } = batches
      const message = stillScanning ? `${done} of ${found} so far (still looking for photos)` : `${done} of ${found}`
      if (found) this.report('indexing', done, found, skipped + batches.failed, t0, message, !stillScanning)
    }
    try {
      for await (const chunk of scanFolders(roots, () => this.stopping)) {
        for (const p of chunk.problems) if (skippedBefore.has(p.path)) met.add(p.path)
        skipped += chunk.problems.filter((p) => !skippedBefore.has(p.path)).length
        await skipLog.add(chunk.problems.map((p) => ({ ...p, size: 0, mtime_ms: 0 })))
        for (const f of chunk.files) {
          if (skippedBefore.has(f.path)) met.add(f.path)
          const work = planner.next(f)
          if (!work) continue
          if (work.size === 0 && work.id === null) {
            // nothing to read: an empty file is no photo (a new one; an indexed one that emptied goes through, to lose its row)
            await skipLog.add([{ path: f.path, reason: 'empty file', size: 0, mtime_ms: f.mtimeMs }])
            skipped++
            continue
          }
          queue.push(work)
          found++
        }
        progress(true) // before the chunk's files are read (a test changes the disk then)
        while (queue.length >= BATCH && !this.stopping) await batches.send(queue.splice(0, BATCH))
      }
      scanning = false
      if (queue.length && !this.stopping) await batches.send(queue.splice(0))
      progress(false)
      await batches.drain(() => this.stopping)
      failed = false
    } finally {
      await batches.settle()
      // what was found stays found, also in a stopped run; a failed run keeps its own error
      await skipLog.flush().catch((err) => {
        if (!failed) throw err
      })
    }
    // a scan cut short lists only some of the files: the rest are not gone, so remove none of it
    if (this.stopping) return
    const gone = [...orphans, ...planner.gone(byPath.values())]
    if (gone.length) {
      await store.deleteIds(gone)
      host.slot.removeRows(gone)
      await removeThumbnails(gone, host.thumbPath)
    }
    // forget the skip reasons of files gone or outside the library now, and of files indexed since
    // (a run killed between a row's commit and its clean-up leaves both)
    await store.clearSkipped([...skippedBefore.keys()].filter((p) => !met.has(p) || byPath.has(p)))
    await removeStrayThumbnails(dataLayout(host.dataDir).thumbs, (id) => space.meta.get(id) !== undefined)
    const total = found
    const done = batches.done
    if (total > 0 || gone.length > 0) {
      await store.optimize()
      await store.setSignalVersion('embedding', space.modelId) // the first signal: every row is this model's now
      space.persistShortlists()
      this.report('calibrating', done, total, skipped, t0, 'measuring the dial on this library')
      await space.calibrateDial()
    }
    const secs = (performance.now() - t0) / 1000
    const stillSkipped = (await store.listSkipped()).length
    this.report('done', done, total, stillSkipped, t0, `${space.vectors.size} photos indexed; ${total} processed in ${secs.toFixed(1)} s (${planner.unchanged} unchanged)`)
    host.indexed() // search is ready: the other signals follow
  }

  /** One batch's result into the table and the search space (new paths appended, others replaced: each one commit). */
  private async commit(space: SearchSpace, res: BatchResult, failedIds: number[], skippedBefore: ReadonlyMap<string, unknown>, skipLog: SkipLog): Promise<void> {
    const store = space.store
    const byPath = new Map(res.work.map((f) => [f.path, f]))
    const rows = res.ok.map((r) => this.row(space, byPath.get(r.path)!, r))
    const isNew = new Set(res.work.filter((f) => f.isNew).map((f) => f.id))
    await store.insert(rows.filter((r) => isNew.has(r.id)))
    await store.upsert(rows.filter((r) => !isNew.has(r.id)))
    this.host.slot.applyRows(rows, rows.map((r) => r.embedding))
    await store.clearSkipped(rows.filter((r) => skippedBefore.has(r.path)).map((r) => r.path)) // only those listed: a delete reads the whole list
    // an indexed photo whose file became unreadable is no longer that photo: drop its row
    const stale = failedIds.filter((id) => !isNew.has(id))
    if (stale.length) {
      await store.deleteIds(stale)
      this.host.slot.removeRows(stale)
    }
    // and keeps no thumbnail (a new file's fresh id never had one)
    await removeThumbnails(stale, this.host.thumbPath)
    await skipLog.add(res.failed.map((f) => ({ ...f, size: byPath.get(f.path)!.size, mtime_ms: byPath.get(f.path)!.mtimeMs })))
  }

  private row(space: SearchSpace, f: Work, r: Embedded): PhotoRow {
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
