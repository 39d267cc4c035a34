// The photo repository as the layers above the adapters see it: rows and a typed filter, no SQL.
// src/main/adapters/lance/store.ts implements it.
import type { Filter } from '../../shared/api'

export interface PhotoRow {
  id: number
  path: string
  folder: string
  name: string
  hash: string
  size: number
  mtime_ms: number
  width: number
  height: number
  taken_at: string | null
  camera: string | null
  lens: string | null
  latitude: number | null
  longitude: number | null
  orientation: number | null
  label: string
  label_conf: number
  label_dims: number
  model: string
  embedding: Float32Array
}

export type PhotoMeta = Omit<PhotoRow, 'embedding'>

export interface SkippedFile {
  path: string
  reason: string
  size: number
  mtime_ms: number
}

export interface PhotoRepository {
  /** the embedding width of this table */
  readonly dims: number
  readonly photosTable: string
  insert(rows: PhotoRow[]): Promise<void>
  upsert(rows: PhotoRow[]): Promise<void>
  deleteIds(ids: number[]): Promise<void>
  /** `count` new photo ids, never given before (not even to a photo since deleted); the first */
  reserveIds(count: number): Promise<number>
  /** the rows (no embeddings), all or those the filter keeps */
  meta(filter?: Filter): Promise<PhotoMeta[]>
  /** the ids the filter keeps */
  ids(filter: Filter): Promise<Set<number>>
  embeddings(): Promise<{ ids: Int32Array; vectors: Float32Array }>
  /** every row and its embedding (rows x dims), one batch at a time */
  eachBatch(each: (rows: PhotoMeta[], embeddings: Float32Array) => void): Promise<void>
  listFolders(): Promise<string[]>
  addFolder(path: string): Promise<void>
  removeFolder(path: string): Promise<void>
  listSkipped(): Promise<SkippedFile[]>
  setSkipped(rows: SkippedFile[]): Promise<void>
  /** for paths not listed yet (cheaper than setSkipped) */
  addSkipped(rows: SkippedFile[]): Promise<void>
  clearSkipped(paths: string[]): Promise<void>
  optimize(): Promise<void>
  dropPhotoTablesExcept(keep: string[]): Promise<string[]>
  close(): void
}

/** The user's labels, kept by photo path. */
export interface LabelRepository {
  listLabels(): Promise<string[]>
  createLabel(name: string): Promise<void>
  renameLabel(from: string, to: string): Promise<void>
  deleteLabel(name: string): Promise<void>
  assignLabel(paths: string[], label: string | null): Promise<void>
  labelAssignments(): Promise<Map<string, string>>
}

/** Which version of each per-photo signal the library holds (the embedding's is its model). */
export interface SignalVersions {
  signalVersion(signal: string): Promise<string | null>
  setSignalVersion(signal: string, version: string): Promise<void>
}

/** The library's store as the search space holds it. */
export type Library = PhotoRepository & LabelRepository & SignalVersions
