// The library in order: by the date a photo was taken (EXIF; its file's time when the photo has
// none), by name or by folder. Each order is sorted once per change of the rows and kept, so paging
// through 100,000 photos costs a slice, and the timeline's headings (days, folders) and their counts
// are answered without sending the rows.
import type { Filter, PhotoSort, Timeline, TimelineGroup } from '../../shared/api'
import type { PhotoMeta } from '../ports/photos'
import type { SearchSpace } from '../space/searchSpace'
import type { EngineContext } from './context'
import { photoDate } from './photoDate'

interface Sorted {
  /** photo ids in order (a PhotoMeta is built only for the page asked for) */
  ids: Int32Array
  /** each row's heading: its day (YYYY-MM-DD), its folder, or '' (the name sort has one) */
  keys: string[]
  /** rows dated by their file's time */
  fileDated: Uint8Array
}

/** "IMG_2.jpg" before "IMG_10.jpg": digit runs padded, case folded; compared with `<`, which is fast at 100k. */
const natural = (s: string): string => s.toLowerCase().replace(/\d+/g, (d) => d.padStart(12, '0'))

function sortRows(rows: PhotoMeta[], sort: PhotoSort): Sorted {
  const n = rows.length
  const dates = rows.map(photoDate)
  const names = rows.map((m) => natural(m.name))
  const order = Array.from({ length: n }, (_, i) => i)
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  const byPath = (i: number, j: number) => cmp(rows[i].path, rows[j].path)
  if (sort === 'date-desc') order.sort((i, j) => cmp(dates[j].date, dates[i].date) || byPath(i, j))
  else if (sort === 'date-asc') order.sort((i, j) => cmp(dates[i].date, dates[j].date) || byPath(i, j))
  else if (sort === 'name') order.sort((i, j) => cmp(names[i], names[j]) || byPath(i, j))
  else order.sort((i, j) => cmp(rows[i].folder, rows[j].folder) || cmp(names[i], names[j]) || byPath(i, j))
  const key = (i: number) => (sort === 'name' ? '' : sort === 'folder' ? rows[i].folder : dates[i].date.slice(0, 10))
  return { ids: Int32Array.from(order, (i) => rows[i].id), keys: order.map(key), fileDated: Uint8Array.from(order, (i) => (dates[i].file ? 1 : 0)) }
}

// one sort per space, order and change of its rows (the space counts its changes: revision)
const cache = new WeakMap<SearchSpace, Map<PhotoSort, { revision: number; size: number; sorted: Sorted }>>()

export function sortedPhotos(space: SearchSpace, sort: PhotoSort): Sorted {
  const bySort = cache.get(space) ?? new Map()
  cache.set(space, bySort)
  const hit = bySort.get(sort)
  if (hit && hit.revision === space.revision && hit.size === space.meta.size) return hit.sorted
  const sorted = sortRows([...space.meta.values()], sort)
  bySort.set(sort, { revision: space.revision, size: space.meta.size, sorted })
  return sorted
}

/** The sorted list the filter keeps. */
async function listed(ctx: EngineContext, filter: Filter | undefined, sort: PhotoSort): Promise<Sorted> {
  const space = ctx.slot.current
  const all = sortedPhotos(space, sort)
  const ids = await ctx.terms.filterIds(filter, space)
  if (!ids) return all
  const keep: number[] = []
  for (let i = 0; i < all.ids.length; i++) if (ids.has(all.ids[i])) keep.push(i)
  return { ids: Int32Array.from(keep, (i) => all.ids[i]), keys: keep.map((i) => all.keys[i]), fileDated: Uint8Array.from(keep, (i) => all.fileDated[i]) }
}

export async function listPage(ctx: EngineContext, filter: Filter | undefined, sort: PhotoSort, offset: number, limit: number): Promise<{ total: number; rows: PhotoMeta[] }> {
  const { ids } = await listed(ctx, filter, sort)
  const meta = ctx.slot.current.meta
  return { total: ids.length, rows: Array.from(ids.subarray(offset, offset + limit), (id) => meta.get(id)).filter((m) => m !== undefined) }
}

export async function timeline(ctx: EngineContext, filter: Filter | undefined, sort: PhotoSort): Promise<Timeline> {
  const { ids, keys, fileDated } = await listed(ctx, filter, sort)
  const groups: TimelineGroup[] = []
  for (let i = 0; i < ids.length; i++) {
    const last = groups[groups.length - 1]
    if (last && last.key === keys[i]) {
      last.count++
      last.fileDated += fileDated[i]
    } else groups.push({ key: keys[i], start: i, count: 1, fileDated: fileDated[i] })
  }
  return { total: ids.length, groups }
}
