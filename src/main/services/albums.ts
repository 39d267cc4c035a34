// The favourites and albums API: photo ids in, the albums' summary out (services/collections.ts keeps them).
import type { Albums, Input, Output } from '../../shared/api'
import type { EngineContext } from './context'
import { photoPaths } from './photos'

/** The favourites and albums API over the search space's photos. */
export class CollectionsService {
  constructor(private readonly ctx: EngineContext) {}

  private paths(ids: number[]): string[] {
    return photoPaths(this.ctx, ids)
  }

  private summary(): Albums {
    return this.ctx.collections.summary(this.ctx.slot.current)
  }

  async albums(): Promise<Output<'albums'>> {
    return this.summary()
  }

  async setFavourite({ ids, favourite }: Input<'setFavourite'>): Promise<Output<'setFavourite'>> {
    await this.ctx.collections.setFavourite(this.paths(ids), favourite)
    return this.summary()
  }

  async createAlbum({ name, ids = [] }: Input<'createAlbum'>): Promise<Output<'createAlbum'>> {
    await this.ctx.collections.create(name.trim(), this.paths(ids))
    return this.summary()
  }

  async renameAlbum({ from, to }: Input<'renameAlbum'>): Promise<Output<'renameAlbum'>> {
    await this.ctx.collections.rename(from.trim(), to.trim())
    return this.summary()
  }

  async deleteAlbum({ name }: Input<'deleteAlbum'>): Promise<Output<'deleteAlbum'>> {
    await this.ctx.collections.remove(name.trim())
    return this.summary()
  }

  async addToAlbum({ name, ids }: Input<'addToAlbum'>): Promise<Output<'addToAlbum'>> {
    await this.ctx.collections.add(name.trim(), this.paths(ids))
    return this.summary()
  }

  async removeFromAlbum({ name, ids }: Input<'removeFromAlbum'>): Promise<Output<'removeFromAlbum'>> {
    await this.ctx.collections.removeFrom(name.trim(), this.paths(ids))
    return this.summary()
  }
}
