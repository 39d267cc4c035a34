// The data folder's layout, the one place its paths are spelled (the folder itself: app/config.ts),
// and its privacy: the folder and what is in it are for this user alone (0700 folders, 0600 files).
import { chmodSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** New files 0600 and folders 0700: every entry point that writes the data folder sets it first. */
export const PRIVATE_UMASK = 0o077

export function keepNewFilesPrivate(): void {
  process.umask(PRIVATE_UMASK)
}

/**
 * A data folder made by an older build (0755 folders, 0644 thumbnails) closed to other users: the
 * folder and its immediate subfolders 0700, its immediate files 0600. What lies deeper is behind
 * a 0700 folder, so nobody else can reach it.
 */
export function tightenDataDir(dataDir: string): void {
  if (process.platform === 'win32') return // no POSIX modes; the user's profile folder is private already
  chmodSync(dataDir, 0o700)
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    const path = join(dataDir, entry.name)
    if (entry.isDirectory()) chmodSync(path, 0o700)
    else if (entry.isFile()) chmodSync(path, 0o600)
  }
}

export function dataLayout(dataDir: string) {
  return {
    root: dataDir,
    /** LanceDB: the photo tables (one per model), folders, skipped files, labels, signals */
    library: join(dataDir, 'library.lance'),
    thumbs: join(dataDir, 'thumbs'),
    thumb: (id: number) => join(dataDir, 'thumbs', `${id}.webp`),
    /** uploads, query images and fine-tuning work, removed after use */
    tmp: join(dataDir, 'tmp'),
    temp: (name: string) => join(dataDir, 'tmp', name),
    /** the dial measured on this library */
    dial: join(dataDir, 'dial.json'),
    /** the search tables' f16 copies of their rows (scratch files, unlinked while open) */
    vectors: join(dataDir, 'vectors'),
    shortlist: (dims: number, quantization: string) => join(dataDir, `shortlist-${dims}-${quantization}.usearch`),
    adaptors: join(dataDir, 'adaptors'),
    /** imported encoders (models/<sha256>/) and which one search uses */
    models: join(dataDir, 'models'),
    modelState: join(dataDir, 'model-state.json'),
    /** fine-tuned models kept when their import failed */
    finetuned: join(dataDir, 'finetuned'),
    schema: join(dataDir, 'schema.json'),
    /** the face space (principal axes + Matryoshka adaptor of this library's faces) and the face crops the People screen shows */
    faceSpace: join(dataDir, 'face-space.json'),
    faceCrops: join(dataDir, 'faces'),
    faceCrop: (key: string) => join(dataDir, 'faces', `${key.replace(/[^a-zA-Z0-9_-]/g, '_')}.jpg`),
    lock: join(dataDir, 'lock')
  }
}
