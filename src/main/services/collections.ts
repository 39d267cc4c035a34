// The user's favourites and albums: kept in LanceDB by photo path (adapters/lance/collections.ts),
// mirrored in memory so every photo summary says whether it is a favourite without a query. Both are
// filters (filter.favourite, filter.album) and an album's name is a query word.
import type { Albums } from '../../shared/api'
import { UserError } from '../../shared/errors'
import type { CollectionRepository } from '../ports/collections'
import type { PhotoMeta } from '../ports/photos'
import type { SearchSpace } from '../space/searchSpace'
import { namedSource, type FilterSource, type TermSource } from './terms/queryTerms'
import type { UserLabels } from './userLabels'

export class Collections {
  private favourites = new Set<string>()
  /** album name → its photo paths, in the order added; albums oldest first */
  private albums = new Map<string, string[]>()

  private constructor(private readonly repo: CollectionRepository) {}

  static async load(repo: CollectionRepository): Promise<Collections> {
    const c = new Collections(repo)
    c.favourites = new Set(await repo.favouritePaths())
    for (const a of await repo.albumList()) c.albums.set(a.name, a.paths)
    return c
  }

  close(): void {
    this.repo.close()
  }

  isFavourite(path: string): boolean {
    return this.favourites.has(path)
  }

  get albumNames(): string[] {
    return [...this.albums.keys()]
  }

  albumPaths(name: string): string[] {
    const paths = this.albums.get(name)
    if (!paths) throw new UserError(`no album “${name}”`, 404)
    return paths
  }

  /** Counts and covers over the photos indexed now (a photo that left the library stays in its album, uncounted). */
  summary(space: SearchSpace): Albums {
    const idOf = pathIndex(space)
    let favourites = 0
    for (const p of this.favourites) if (idOf.has(p)) favourites++
    const albums = [...this.albums].map(([name, paths]) => {
      const ids = paths.flatMap((p) => idOf.get(p) ?? [])
      return { name, count: ids.length, cover: ids[0] ?? null }
    })
    return { albums, favourites }
  }

  async setFavourite(paths: string[], on: boolean): Promise<void> {
    await this.repo.setFavourite(paths, on)
    for (const p of paths) on ? this.favourites.add(p) : this.favourites.delete(p)
  }

  async create(name: string, paths: string[]): Promise<void> {
    if (this.albums.has(name)) throw new UserError(`there is already an album “${name}”`, 409)
    await this.repo.createAlbum(name)
    this.albums.set(name, [])
    if (paths.length) await this.add(name, paths)
  }

  async rename(from: string, to: string): Promise<void> {
    const paths = this.albumPaths(from)
    if (from === to) return
    if (this.albums.has(to)) throw new UserError(`there is already an album “${to}”`, 409)
    await this.repo.renameAlbum(from, to)
    // keep the order of albums: rebuild the map with the new name in place
    this.albums = new Map([...this.albums].map(([n, p]) => (n === from ? [to, paths] : [n, p])))
  }

  async remove(name: string): Promise<void> {
    this.albumPaths(name)
    await this.repo.deleteAlbum(name)
    this.albums.delete(name)
  }

  async add(name: string, paths: string[]): Promise<void> {
    const have = this.albumPaths(name)
    await this.repo.addToAlbum(name, paths)
    const seen = new Set(have)
    for (const p of paths) if (!seen.has(p)) (seen.add(p), have.push(p))
  }

  async removeFrom(name: string, paths: string[]): Promise<void> {
    const have = this.albumPaths(name)
    await this.repo.removeFromAlbum(name, paths)
    const gone = new Set(paths)
    this.albums.set(name, have.filter((p) => !gone.has(p)))
  }

  /** The ids of these paths in a space. */
  idsOf(paths: Iterable<string>, space: SearchSpace): Set<number> {
    const idOf = pathIndex(space)
    const out = new Set<number>()
    for (const p of paths) {
      const id = idOf.get(p)
      if (id !== undefined) out.add(id)
    }
    return out
  }

  /** Resolves filter.favourite and filter.album (and filter.userLabel, the user's labels) for the photo listing and search. */
  filterSource(labels: UserLabels): FilterSource {
    return {
      keys: ['favourite', 'album', 'userLabel'],
      ids: (filter, space) => {
        let out: Set<number> | null = null
        const keep = (ids: Set<number>) => (out = out === null ? ids : new Set([...out].filter((id) => ids.has(id))))
        if (filter.favourite) keep(this.idsOf(this.favourites, space))
        if (filter.album) keep(this.idsOf(this.albums.get(filter.album) ?? [], space))
        if (filter.userLabel) keep(idsWhere(space, (m) => labels.of(m.path) === filter.userLabel))
        return out
      }
    }
  }

  /** An album's name in a query ("Summer 2023 beach"): the photos in it. */
  termSource(): TermSource {
    return namedSource('album', (space) =>
      this.albumNames.map((name) => ({ name, label: `your album “${name}”`, photos: () => new Map([...this.idsOf(this.albums.get(name) ?? [], space)].map((id) => [id, 1])) }))
    )
  }
}

function idsWhere(space: SearchSpace, keep: (m: PhotoMeta) => boolean): Set<number> {
  const out = new Set<number>()
  for (const m of space.meta.values()) if (keep(m)) out.add(m.id)
  return out
}

// path → id of a space's rows, built once per space and row change (the rows are replaced, not mutated, on change)
const indexes = new WeakMap<SearchSpace, { size: number; revision: number; index: Map<string, number> }>()
function pathIndex(space: SearchSpace): Map<string, number> {
  const cached = indexes.get(space)
  if (cached && cached.size === space.meta.size && cached.revision === space.revision) return cached.index
  const index = new Map<string, number>()
  for (const m of space.meta.values()) index.set(m.path, m.id)
  indexes.set(space, { size: space.meta.size, revision: space.revision, index })
  return index
}
