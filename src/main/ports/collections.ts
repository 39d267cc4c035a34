// The user's favourites and albums as the services see them: kept by photo path, no SQL.
// src/main/adapters/lance/collections.ts implements it.
export interface CollectionRepository {
  favouritePaths(): Promise<string[]>
  setFavourite(paths: string[], on: boolean): Promise<void>
  /** every album, oldest first, with its photos in the order they were added */
  albumList(): Promise<{ name: string; paths: string[] }[]>
  createAlbum(name: string): Promise<void>
  renameAlbum(from: string, to: string): Promise<void>
  deleteAlbum(name: string): Promise<void>
  addToAlbum(name: string, paths: string[]): Promise<void>
  removeFromAlbum(name: string, paths: string[]): Promise<void>
  close(): void
}
