// Indexing runs: scan the folders, diff against the table, embed what is new or changed in the
// worker, commit batch by batch (a killed run resumes from the last commit), then measure the dial.
import { realpath, rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Progress } from '../../shared/api'
import type { Engine } from '../app/engine'
import { plan, scanFolder, type FileOnDisk, type Known } from '../adapters/fs/folderScan'
import { cascade } from '../../core/mrl'
import type { PhotoRow } from '../adapters/lance/store'
import type { Embedded } from '../adapters/workers/embedProtocol'
import { runFailure } from '../../shared/errors'

const BATCH = 32
const IN_FLIGHT = 2
const CASCADE_THRESHOLD = Number(process.env.MRL_CASCADE_THRESHOLD ?? 0.9)

const under = (path: string, root: string) => path.startsWith(root.endsWith('/') ? root : `${root}/`)

export class Indexer {
  private running: Promise<void> | null = null
  private again = false
  private stopping = false
  /** a model switch is flipping tables: runs wait until it is done */
  private held = false

  constructor(private readonly engine: Engine) {}

  start(): void {
    if (this.running || this.held) {
      this.again = true
      return
    }
    this.stopping = false
    this.running = this.loop().finally(() => {
      this.running = null
    })
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve()
  }

  async stop(): Promise<void> {
    this.stopping = true
    await this.idle()
  }

  /** Stops a run at its next batch (what it committed stays) and keeps new runs from starting. */
  async hold(): Promise<void> {
    this.held = true
    if (this.running) {
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

  private async loop(): Promise<void> {
    do {
      this.again = false
      try {
        await this.runOnce()
      } catch (err) {
        this.report('done', 0, 0, 0, 0, runFailure(err, this.engine.dataDir))
      }
    } while (this.again && !this.stopping)
  }

  private report(phase: Progress['phase'], done: number, total: number, skipped: number, startMs: number, message: string): void {
    const secs = (performance.now() - startMs) / 1000
    const perSecond = phase === 'indexing' && secs > 0 ? done / secs : 0
    const etaSeconds = perSecond > 0 ? (total - done) / perSecond : null
    this.engine.setProgress({ phase, done, total, perSecond, etaSeconds, skipped, message })
  }

  private async runOnce(): Promise<void> {
    const e = this.engine
    const t0 = performance.now()
    this.report('scanning', 0, 0, 0, t0, 'looking for photos')
    const folders = await e.store.listFolders()
    const files: FileOnDisk[] = []
    const problems: { path: string; reason: string }[] = []
    const realRoots = (await Promise.all(folders.map((f) => realpath(f).catch(() => null)))).filter((r) => r !== null)
    for (const folder of folders) {
      const res = await scanFolder(folder, () => this.stopping, realRoots)
      files.push(...res.files)
      problems.push(...res.problems)
    }
    // a scan cut short lists only some of the files: the rest are not gone, so act on none of it
    if (this.stopping) return
    const indexed = new Map<string, Known>()
    const orphans: number[] = []
    for (const m of e.indexedPhotos()) {
      if (folders.some((f) => under(m.path, f))) indexed.set(m.path, { id: m.id, size: m.size, mtime_ms: m.mtime_ms, stale: m.model !== e.modelId })
      else orphans.push(m.id)
    }
    const skippedBefore = await e.store.listSkipped()
    const work = plan(files, indexed, new Map(skippedBefore.map((s) => [s.path, s])))
    const gone = [...orphans, ...work.toDelete]
    if (gone.length) {
      await e.store.deleteIds(gone)
      e.removeRows(gone)
      await Promise.all(gone.map((id) => rm(e.thumbPath(id), { force: true })))
    }
    // forget skip reasons of files that are gone or outside the library now
    const onDisk = new Set(files.map((f) => f.path))
    // and of files indexed since (a run killed between the row commit and this clean-up leaves both)
    const problemPaths = new Set(problems.map((p) => p.path))
    await e.store.clearSkipped(skippedBefore.filter((s) => (!onDisk.has(s.path) && !problemPaths.has(s.path)) || indexed.has(s.path)).map((s) => s.path))
    await e.store.setSkipped(problems.map((p) => ({ ...p, size: 0, mtime_ms: 0 })))

    let nextId = e.vectors.allIds().reduce((m, id) => Math.max(m, id), -1) + 1
    const wasIndexed = new Set(work.toIndex.flatMap((f) => (f.id === null ? [] : [f.id])))
    const jobs = work.toIndex.map((f) => ({ ...f, id: f.id ?? nextId++ }))
    let skipped = (await e.store.listSkipped()).length
    let done = 0
    const total = jobs.length
    const tIndex = performance.now()
    this.report('indexing', 0, total, skipped, tIndex, `${total} new or changed, ${work.unchanged} unchanged`)
    const batches: (typeof jobs)[] = []
    for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH))
    const embedder = e.embedder()
    const inFlight: Promise<{ ok: Embedded[]; failed: { path: string; reason: string }[] }>[] = []
    let sent = 0
    const send = () => {
      const b = batches[sent++]
      const reply = embedder.embed(b.map((f) => ({ path: f.path, thumbPath: e.thumbPath(f.id) })))
      reply.catch(() => {}) // awaited below in order; a later batch failing first must not crash the process
      inFlight.push(reply)
    }
    try {
      while (sent < Math.min(IN_FLIGHT, batches.length)) send()
      for (let i = 0; i < batches.length && !this.stopping; i++) {
        const res = await inFlight.shift()!
        if (sent < batches.length) send()
        const byPath = new Map(batches[i].map((f) => [f.path, f]))
        const rows = res.ok.map((r) => this.row(byPath.get(r.path)!, r))
        // new paths are appended, re-indexed ones replaced by path: each a whole commit
        await e.store.insert(rows.filter((r) => !wasIndexed.has(r.id)))
        await e.store.upsert(rows.filter((r) => wasIndexed.has(r.id)))
        e.applyRows(rows, rows.map((r) => r.embedding))
        await e.store.clearSkipped(rows.map((r) => r.path))
        // an indexed photo whose file became unreadable is no longer that photo: drop its row
        const stale = res.failed.map((f) => byPath.get(f.path)!.id).filter((id) => wasIndexed.has(id))
        if (stale.length) {
          await e.store.deleteIds(stale)
          e.removeRows(stale)
        }
        await e.store.setSkipped(res.failed.map((f) => ({ ...f, size: byPath.get(f.path)!.size, mtime_ms: byPath.get(f.path)!.mtimeMs })))
        skipped += res.failed.length
        done += batches[i].length
        this.report('indexing', done, total, skipped, tIndex, `${done} of ${total}`)
      }
    } finally {
      await Promise.allSettled(inFlight)
    }
    if (this.stopping) return
    if (total > 0 || gone.length > 0) {
      await e.store.optimize()
      e.persistShortlists()
      this.report('calibrating', done, total, skipped, tIndex, 'measuring the dial on this library')
      await e.calibrateDial()
    }
    const secs = (performance.now() - t0) / 1000
    this.report('done', done, total, skipped, tIndex, `${e.vectors.size} photos indexed; ${total} processed in ${secs.toFixed(1)} s`)
  }

  private row(f: FileOnDisk & { id: number }, r: Embedded): PhotoRow {
    const { card } = this.engine.model
    const label = r.logits.length ? cascade(r.logits, card.nesting, CASCADE_THRESHOLD) : { classIndex: -1, confidence: 0, dims: 0 }
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
      label: card.classes[label.classIndex] ?? '',
      label_conf: label.confidence,
      label_dims: label.dims,
      model: this.engine.modelId,
      embedding: r.embedding
    }
  }
}
