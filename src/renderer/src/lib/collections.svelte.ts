// The user's favourites and albums (kept by the engine in its own tables, never in the photos).
// A photo's favourite flag comes with it from the engine; a change made here shows at once, before
// the lists are fetched again.
import { SvelteMap } from 'svelte/reactivity'
import type { Albums, PhotoSummary } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

export class CollectionsState {
  info = $state<Albums | null>(null)
  /** favourite flags changed in this session, by photo id */
  #favourite = new SvelteMap<number, boolean>()
  /** called after a change, so lists scoped to favourites or an album fetch again */
  onChanged: () => void = () => {}

  isFavourite(photo: Pick<PhotoSummary, 'id' | 'favourite'>): boolean {
    return this.#favourite.get(photo.id) ?? photo.favourite
  }

  private async apply(p: Promise<Albums>): Promise<boolean> {
    try {
      this.info = await p
      return true
    } catch (err) {
      report(err)
      return false
    }
  }

  refresh = () => this.apply(call('albums', {}))

  async setFavourite(ids: number[], favourite: boolean): Promise<boolean> {
    if (!ids.length) return false
    for (const id of ids) this.#favourite.set(id, favourite)
    const ok = await this.apply(call('setFavourite', { ids, favourite }))
    if (!ok) for (const id of ids) this.#favourite.delete(id)
    else this.onChanged()
    return ok
  }

  toggleFavourite(photo: Pick<PhotoSummary, 'id' | 'favourite'>): Promise<boolean> {
    return this.setFavourite([photo.id], !this.isFavourite(photo))
  }

  private async change(p: Promise<Albums>): Promise<boolean> {
    const ok = await this.apply(p)
    if (ok) this.onChanged()
    return ok
  }

  create = (name: string, ids: number[] = []) => this.change(call('createAlbum', { name, ids }))
  rename = (from: string, to: string) => this.change(call('renameAlbum', { from, to }))
  remove = (name: string) => this.change(call('deleteAlbum', { name }))
  add = (name: string, ids: number[]) => this.change(call('addToAlbum', { name, ids }))
  removeFrom = (name: string, ids: number[]) => this.change(call('removeFromAlbum', { name, ids }))
}
