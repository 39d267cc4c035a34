// The user's folders on disk: a recursive scan for photos, and the diff against what is indexed.
import { opendir, realpath, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif', '.heic', '.heif'])

export interface FileOnDisk {
  path: string
  folder: string
  size: number
  mtimeMs: number
}

export interface ScanResult {
  files: FileOnDisk[]
  /** folders or files that could not be read, with why */
  problems: { path: string; reason: string }[]
}

/** Walks `root`, following symlinked folders once each (a loop is reported, not followed). */
export async function scanFolder(root: string, shouldStop: () => boolean = () => false): Promise<ScanResult> {
  const files: FileOnDisk[] = []
  const problems: { path: string; reason: string }[] = []
  const seen = new Set<string>()
  const stack = [root]
  while (stack.length && !shouldStop()) {
    const dir = stack.pop()!
    let real: string
    try {
      real = await realpath(dir)
    } catch (err) {
      problems.push({ path: dir, reason: `cannot resolve folder (${(err as NodeJS.ErrnoException).code ?? err})` })
      continue
    }
    if (seen.has(real)) {
      if (dir !== root) problems.push({ path: dir, reason: 'symlink loop: folder already scanned' })
      continue
    }
    seen.add(real)
    try {
      for await (const entry of await opendir(dir)) {
        const path = join(dir, entry.name)
        if (entry.name.startsWith('.')) continue
        if (entry.isDirectory() || entry.isSymbolicLink()) {
          if (entry.isSymbolicLink()) {
            const target = await stat(path).catch(() => null)
            if (!target) {
              problems.push({ path, reason: 'broken symlink' })
              continue
            }
            if (target.isDirectory()) {
              stack.push(path)
              continue
            }
          } else {
            stack.push(path)
            continue
          }
        }
        if (!PHOTO_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue
        try {
          const s = await stat(path)
          if (s.isFile()) files.push({ path, folder: dir, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) })
        } catch (err) {
          problems.push({ path, reason: `cannot read file (${(err as NodeJS.ErrnoException).code ?? err})` })
        }
      }
    } catch (err) {
      problems.push({ path: dir, reason: `cannot read folder (${(err as NodeJS.ErrnoException).code ?? err})` })
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path))
  return { files, problems }
}

export interface Known {
  id: number
  size: number
  mtime_ms: number
}

export interface Plan {
  /** new or changed files, with the id each keeps or gets */
  toIndex: (FileOnDisk & { id: number | null })[]
  /** indexed photos whose file is gone (or whose folder was removed) */
  toDelete: number[]
  unchanged: number
}

/** Incremental: only files that are new or whose size or mtime changed are processed again. */
export function plan(onDisk: FileOnDisk[], indexed: Map<string, Known>, skipped: Map<string, { size: number; mtime_ms: number }>): Plan {
  const toIndex: Plan['toIndex'] = []
  const present = new Set<string>()
  let unchanged = 0
  for (const f of onDisk) {
    present.add(f.path)
    const known = indexed.get(f.path)
    const same = (k: { size: number; mtime_ms: number } | undefined) => k && k.size === f.size && k.mtime_ms === f.mtimeMs
    if (same(known)) unchanged++
    else if (!known && same(skipped.get(f.path))) continue // still the same bad file
    else toIndex.push({ ...f, id: known?.id ?? null })
  }
  const toDelete = [...indexed].filter(([path]) => !present.has(path)).map(([, k]) => k.id)
  return { toIndex, toDelete, unchanged }
}
