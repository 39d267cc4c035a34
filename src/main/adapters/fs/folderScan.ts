// The user's folders on disk: a recursive scan for photos, and the diff against what is indexed.
import { opendir, realpath, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { isInside } from './paths'

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

/** Whether `path` is `root` or lies under it (both real paths). */

/**
 * Walks `root`, following symlinks once each (a loop is reported, not followed). A symlink is
 * followed only when its real target lies inside one of `libraryRoots` (real paths; default: the
 * root): the app reads, and browser mode serves, nothing the user did not add as a folder.
 */
export async function scanFolder(root: string, shouldStop: () => boolean = () => false, libraryRoots?: string[]): Promise<ScanResult> {
  const files: FileOnDisk[] = []
  const problems: { path: string; reason: string }[] = []
  const seen = new Set<string>()
  const stack = [root]
  const roots = libraryRoots ?? [await realpath(root).catch(() => root)]
  const outside = async (link: string) => {
    const target = await realpath(link).catch(() => null)
    return !target || !roots.some((r) => isInside(target, r))
  }
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
            const target = await stat(path).catch((err: NodeJS.ErrnoException) => err)
            if (target instanceof Error) {
              problems.push({ path, reason: target.code === 'ELOOP' ? 'symlink loop' : 'broken symlink' })
              continue
            }
            const photoOrFolder = target.isDirectory() || PHOTO_EXTENSIONS.has(extname(entry.name).toLowerCase())
            if (photoOrFolder && (await outside(path))) {
              problems.push({ path, reason: 'symlink leads outside the library folders (add its target as a folder to include it)' })
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
          // a named pipe or device is never opened: reading one could block the run for ever
          else problems.push({ path, reason: 'not a regular file' })
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
  /** embedded by another model than the current one: embed again, keeping the id */
  stale?: boolean
}

export interface Plan {
  /** new or changed files, with the id each keeps or gets */
  toIndex: (FileOnDisk & { id: number | null })[]
  /** indexed photos whose file is gone (or whose folder was removed) */
  toDelete: number[]
  unchanged: number
}

/** Incremental: only files that are new, changed (size or mtime) or embedded by another model are processed again. */
export function plan(onDisk: FileOnDisk[], indexed: Map<string, Known>, skipped: Map<string, { size: number; mtime_ms: number }>): Plan {
  const toIndex: Plan['toIndex'] = []
  const present = new Set<string>()
  let unchanged = 0
  for (const f of onDisk) {
    present.add(f.path)
    const known = indexed.get(f.path)
    const same = (k: { size: number; mtime_ms: number } | undefined) => k && k.size === f.size && k.mtime_ms === f.mtimeMs
    if (same(known) && !known!.stale) unchanged++
    else if (!known && same(skipped.get(f.path))) continue // still the same bad file
    else toIndex.push({ ...f, id: known?.id ?? null })
  }
  const toDelete = [...indexed].filter(([path]) => !present.has(path)).map(([, k]) => k.id)
  return { toIndex, toDelete, unchanged }
}
