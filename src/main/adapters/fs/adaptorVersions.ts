// Adaptor versions on disk: <dir>/v<N>.json (the map, its heads, how it did) and active.json naming
// the one search uses. Nothing is overwritten, so rolling back is naming an older version (or none).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { loadAdaptor, type Adaptor, type SavedAdaptor } from '../../../training/adaptor'
import type { Head } from '../../../training/heads'
import { writeFileAtomicSync } from './atomicWrite'

export interface SavedHead {
  dims: number
  classes: number
  weight: number[]
  bias: number[]
}

export interface VersionInfo {
  version: number
  kind: 'supervised' | 'unsupervised'
  createdAt: string
  /** the model whose embeddings the adaptor maps */
  model: string
  classes: string[]
  photos: number
  seconds: number
  epochs: number
  metric: 'accuracy' | 'neighbours@10'
  perPrefix: number[]
  threshold: number | null
}

interface VersionFile extends VersionInfo {
  adaptor: SavedAdaptor
  heads: SavedHead[]
}

export const saveHeads = (heads: Head[]): SavedHead[] => heads.map((h) => ({ dims: h.dims, classes: h.classes, weight: Array.from(h.weight), bias: Array.from(h.bias) }))
export const loadHeads = (heads: SavedHead[]): Head[] => heads.map((h) => ({ dims: h.dims, classes: h.classes, weight: Float32Array.from(h.weight), bias: Float32Array.from(h.bias) }))

export class AdaptorVersions {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true })
    // a write that a crash cut short never reached its real name: drop it
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true })
  }

  private file(version: number): string {
    return join(this.dir, `v${version}.json`)
  }

  /** Every version for this model, oldest first. */
  list(model: string): VersionInfo[] {
    return readdirSync(this.dir)
      .filter((f) => /^v\d+\.json$/.test(f))
      .map((f) => {
        const { adaptor: _a, heads: _h, ...info } = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as VersionFile
        return info
      })
      .filter((v) => v.model === model)
      .sort((a, b) => a.version - b.version)
  }

  add(info: Omit<VersionInfo, 'version' | 'createdAt'>, adaptor: SavedAdaptor, heads: SavedHead[]): VersionInfo {
    const taken = readdirSync(this.dir).map((f) => /^v(\d+)\.json$/.exec(f)?.[1]).filter(Boolean).map(Number)
    const version = Math.max(0, ...taken) + 1
    const full: VersionFile = { ...info, version, createdAt: new Date().toISOString(), adaptor, heads }
    writeFileAtomicSync(this.file(version), JSON.stringify(full))
    return full
  }

  load(version: number): { info: VersionInfo; adaptor: Adaptor; heads: Head[] } {
    if (!existsSync(this.file(version))) throw new Error(`no adaptor version ${version}`)
    const { adaptor, heads, ...info } = JSON.parse(readFileSync(this.file(version), 'utf8')) as VersionFile
    return { info, adaptor: loadAdaptor(adaptor), heads: loadHeads(heads) }
  }

  /** The version search uses for this model (null: the model's own embeddings). */
  active(model: string): number | null {
    try {
      const a = JSON.parse(readFileSync(join(this.dir, 'active.json'), 'utf8')) as { model: string; version: number | null }
      return a.model === model && a.version !== null && existsSync(this.file(a.version)) ? a.version : null
    } catch {
      return null
    }
  }

  setActive(model: string, version: number | null): void {
    writeFileAtomicSync(join(this.dir, 'active.json'), JSON.stringify({ model, version }))
  }
}
