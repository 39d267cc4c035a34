// Photo ids: never given twice, and one row per path.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as lancedb from '@lancedb/lancedb'
import { writeFileAtomicSync } from '../fs/atomicWrite'
import { sqlString } from './filter'

/** The high-water mark's file, in the LanceDB folder: the ids are the library's, shared by every photo table. */
const ID_MARK = 'next-id.json'

/**
 * Ids are never reused, not even after their photo is gone (browsers cache thumbnails by id): the
 * next id to give is kept in a file, written before any row or thumbnail uses the ids it reserves,
 * and never below the table's largest id + 1 (a folder from before the mark, or a lost file). The
 * file is read at every reservation, so a store opened earlier (a model switch's new table) never
 * gives an id another store gave since.
 */
export class IdMark {
  private next: number | null = null

  constructor(
    private readonly dir: string,
    private readonly maxId: () => Promise<number>
  ) {}

  async reserve(count: number): Promise<number> {
    const file = join(this.dir, ID_MARK)
    let saved = 0
    try {
      saved = Number(JSON.parse(readFileSync(file, 'utf8')).next) || 0
    } catch {
      // not written yet
    }
    this.next ??= (await this.maxId()) + 1
    const first = Math.max(saved, this.next)
    this.next = first + count
    writeFileAtomicSync(file, JSON.stringify({ next: this.next }))
    return first
  }
}

/**
 * Keeps the newest row (highest id) of each path and always exactly one: rows that share their id as
 * well as their path (no delete by id can tell them apart) are replaced by one copy.
 */
export async function keepOneRowPerPath(photos: lancedb.Table, rows: { path: string; id: number }[], deleteIds: (ids: number[]) => Promise<void>): Promise<void> {
  const newest = new Map<string, number>()
  const repeated = new Set<string>()
  for (const { path, id } of rows) {
    const seen = newest.get(path)
    if (seen !== undefined) repeated.add(path)
    if (seen === undefined || id > seen) newest.set(path, id)
  }
  for (const path of repeated) {
    const keep = newest.get(path)!
    const all = await photos.query().where(`path = ${sqlString(path)}`).toArray()
    const older = [...new Set(all.map((r) => Number(r.id)).filter((id) => id !== keep))]
    if (older.length) await deleteIds(older) // never the id kept
    const copies = all.filter((r) => Number(r.id) === keep)
    if (copies.length > 1) {
      const row = { ...copies[0], embedding: Array.from(copies[0].embedding as Iterable<number>) }
      await photos.delete(`id = ${keep}`)
      await photos.add([row]) // a crash in between loses the row, not the photo: the next run indexes it again
    }
  }
}
