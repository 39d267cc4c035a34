// Indexing's batches: ids given, files sent to the encoder (a few batches in flight, so decoding
// the next overlaps embedding and committing the last), results committed in order.
import { opendir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileOnDisk } from '../adapters/fs/folderScan'
import type { EncodeResult, FolderBounds, ImageEncoder } from '../ports/encoder'
import type { PhotoRepository, SkippedFile } from '../ports/photos'

const IN_FLIGHT = 2

/** A file the plan wants processed: the id it keeps, or null for a new photo. */
export type Planned = FileOnDisk & { id: number | null }
/** A file sent: its id (reserved for a new photo), and whether it is new to the table. */
export type Work = FileOnDisk & { id: number; isNew: boolean }

export interface BatchResult extends EncodeResult {
  work: Work[]
}

export class Batches {
  /** files sent, committed (ok or failed), and failed in this run */
  sent = 0
  done = 0
  failed = 0
  private readonly inFlight: { work: Work[]; reply: Promise<EncodeResult> }[] = []

  constructor(
    private readonly store: Pick<PhotoRepository, 'reserveIds'>,
    private readonly encoder: ImageEncoder,
    private readonly within: FolderBounds,
    private readonly thumbPath: (id: number) => string,
    /** commits one batch's result; failedIds: the ids of its files that could not be read */
    private readonly commit: (res: BatchResult, failedIds: number[]) => Promise<void>,
    private readonly committed: () => void
  ) {}

  /** Sends a batch, first committing the oldest one when enough are in flight. */
  async send(files: Planned[]): Promise<void> {
    if (this.inFlight.length >= IN_FLIGHT) await this.commitOldest()
    const fresh = files.filter((f) => f.id === null).length
    // reserved (and the mark written) before any thumbnail or row uses them
    let next = fresh ? await this.store.reserveIds(fresh) : 0
    const work = files.map((f) => ({ ...f, id: f.id ?? next++, isNew: f.id === null }))
    const reply = this.encoder.embed(work.map((f) => ({ path: f.path, thumbPath: this.thumbPath(f.id) })), this.within)
    reply.catch(() => {}) // awaited in order; a later batch failing first must not crash the process
    this.inFlight.push({ work, reply })
    this.sent += work.length
  }

  private async commitOldest(): Promise<void> {
    const { work, reply } = this.inFlight.shift()!
    const res = await reply
    const idOf = new Map(work.map((f) => [f.path, f.id]))
    await this.commit({ ...res, work }, res.failed.map((f) => idOf.get(f.path)!))
    this.done += work.length
    this.failed += res.failed.length
    this.committed()
  }

  /** Commits what is in flight, in order, unless the run is stopping. */
  async drain(stopping: () => boolean): Promise<void> {
    while (this.inFlight.length && !stopping()) await this.commitOldest()
  }

  /** Waits for replies never committed (a stopped or failed run): none may reject unheard. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inFlight.map((b) => b.reply))
    this.inFlight.length = 0
  }
}

/** Removes these photos' thumbnails, a few hundred files at a time. */
export async function removeThumbnails(ids: number[], thumbPath: (id: number) => string): Promise<void> {
  for (let i = 0; i < ids.length; i += 256) await Promise.all(ids.slice(i, i + 256).map((id) => rm(thumbPath(id), { force: true })))
}

/**
 * Removes thumbnails whose photo has no row: left by a run killed between a thumbnail and its
 * commit, or by a file that failed. Their ids are never given again, so they only take up room.
 */
export async function removeStrayThumbnails(dir: string, isPhoto: (id: number) => boolean): Promise<number> {
  let removed = 0
  try {
    for await (const e of await opendir(dir, { bufferSize: 256 })) {
      const m = /^(\d+)\.webp(\.tmp)?$/.exec(e.name)
      // a .tmp is half a thumbnail write that a kill interrupted
      if (m && (m[2] || !isPhoto(Number(m[1])))) {
        await rm(join(dir, e.name), { force: true })
        removed++
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  return removed
}

/**
 * The skip reasons a run writes, a thousand at a time: the table of skipped files is written in
 * a few commits, not one per batch (a library of 160,000 bad files would make 5,000). A killed run
 * loses the reasons not written yet; the next run reads those files again.
 */
export class SkipLog {
  private pending: SkippedFile[] = []

  constructor(
    private readonly store: Pick<PhotoRepository, 'setSkipped' | 'addSkipped'>,
    /** paths listed before this run (replaced), the others appended */
    private readonly listed: ReadonlyMap<string, unknown>
  ) {}

  async add(rows: SkippedFile[]): Promise<void> {
    for (const r of rows) this.pending.push(r)
    if (this.pending.length >= 1000) await this.flush()
  }

  async flush(): Promise<void> {
    const rows = this.pending
    this.pending = []
    await this.store.setSkipped(rows.filter((r) => this.listed.has(r.path)))
    await this.store.addSkipped(rows.filter((r) => !this.listed.has(r.path)))
  }
}
