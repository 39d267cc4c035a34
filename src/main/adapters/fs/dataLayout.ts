// The data folder's layout, the one place its paths are spelled (the folder itself: app/config.ts).
import { join } from 'node:path'

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
