// The user's folders on disk: a streaming scan for photos and the incremental plan over it. Files
// come in chunks from an async generator, never as one list, so a library of a million files is
// scanned in the memory of a small one; the plan keeps one id per indexed photo it has seen.
import { lstat, opendir, realpath, stat } from 'node:fs/promises'
import { statSync, type Dirent, type Stats } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { isInside } from './paths'

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif', '.heic', '.heif'])

export interface FileOnDisk {
  path: string
  folder: string
  size: number
  mtimeMs: number
}

export interface Problem {
  path: string
  reason: string
}

/** One piece of a scan: some files, and what could not be read, with why. */
export interface ScanChunk {
  files: FileOnDisk[]
  problems: Problem[]
}

/** The folders a scan walks, found from the library's folder list. */
export interface ScanRoots {
  /** each library folder at most once, by real path: one inside another (or the same folder through a link) is part of the outer one */
  walk: { path: string; real: string }[]
  /** real paths of every library folder that exists (symlink targets must lie inside one) */
  real: string[]
  /** real paths never scanned: the app's own data folder, and the kernel's trees (/proc, /sys, /dev) */
  exclude: string[]
  /** library folders not walked, with why (gone, unreadable, inside the data folder) */
  problems: Problem[]
}

/** The kernel's own trees, never photos (a library folder of `/` walks past them). */
const SYSTEM = process.platform === 'linux' ? ['/proc', '/sys', '/dev'] : []

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err)
const hidden = (name: string) => name.startsWith('.')
const photoNamed = (name: string) => PHOTO_EXTENSIONS.has(extname(name).toLowerCase())

/**
 * Which folders to walk. Library folders are compared by real path, against each other and against
 * the data folder in both directions: a folder inside another one, or the same one twice, is walked
 * once (as part of the outer one); a folder inside the data folder is not walked; a parent of the
 * data folder is walked without it.
 */
export async function scanRoots(folders: string[], dataDir: string): Promise<ScanRoots> {
  const dataReal = await realpath(dataDir).catch(() => dataDir)
  const problems: Problem[] = []
  const found: { path: string; real: string }[] = []
  for (const path of folders) {
    const real = await realpath(path).catch((err) => err as Error)
    if (real instanceof Error) problems.push({ path, reason: `cannot resolve folder (${code(real)})` })
    else if (isInside(real, dataReal)) problems.push({ path, reason: "inside the app's own data folder: not scanned" })
    else found.push({ path, real })
  }
  // outer folders first; a folder inside one already kept is covered by it
  found.sort((a, b) => a.real.length - b.real.length || (a.path < b.path ? -1 : 1))
  const walk: typeof found = []
  for (const f of found) if (!walk.some((w) => isInside(f.real, w.real))) walk.push(f)
  return { walk, real: found.map((f) => f.real), exclude: [dataReal, ...SYSTEM], problems }
}

/** A file or folder at `real` is reached by the walk itself: inside a walked folder, through no hidden folder, not excluded. */
function reachedDirectly(real: string, roots: ScanRoots): boolean {
  if (roots.exclude.some((x) => isInside(real, x))) return false
  return roots.walk.some((w) => isInside(real, w.real) && !relative(w.real, real).split(sep).some(hidden))
}

const STAT_PARALLEL = 64
const CHUNK = 1000

/**
 * Walks the roots, yielding files in chunks of at most `CHUNK`. Each real file is listed once: a
 * symlink is not followed when the walk reaches its target anyway (the photo is listed at its own
 * path), is refused when its target lies outside every library folder or in the data folder, and is
 * followed otherwise (into a hidden folder of the library). Hidden entries are skipped.
 */
export async function* scanFolders(roots: ScanRoots, shouldStop: () => boolean = () => false): AsyncGenerator<ScanChunk> {
  let chunk: ScanChunk = { files: [], problems: [...roots.problems] }
  const followed = new Set<string>() // real folders entered through a symlink: a loop is entered once
  const stack = roots.walk.map((w) => ({ path: w.path, real: w.real }))
  const excluded = (real: string) => roots.exclude.some((x) => isInside(real, x))

  /** A symlink: what its target is, and whether to list it (file), walk it (folder) or neither. */
  const link = async (path: string, name: string, dirReal: string): Promise<{ file?: Stats; folder?: string } | null> => {
    const target = await stat(path).catch((err) => err as NodeJS.ErrnoException)
    if (target instanceof Error) {
      chunk.problems.push({ path, reason: target.code === 'ELOOP' ? 'symlink loop' : 'broken symlink' })
      return null
    }
    if (!target.isDirectory() && !photoNamed(name)) return null
    const real = await realpath(path).catch(() => null)
    if (!real || !roots.real.some((r) => isInside(real, r))) {
      chunk.problems.push({ path, reason: 'symlink leads outside the library folders (add its target as a folder to include it)' })
      return null
    }
    if (excluded(real)) {
      chunk.problems.push({ path, reason: "symlink leads into a folder never scanned (the app's own data folder, or a system folder)" })
      return null
    }
    // a link to a folder the link lies in would walk it again and again
    if (target.isDirectory() && (isInside(dirReal, real) || followed.has(real))) {
      chunk.problems.push({ path, reason: 'symlink loop: folder already scanned' })
      return null
    }
    if (reachedDirectly(real, roots)) return null // the same photo (or folder), listed at its own path
    if (!target.isDirectory()) return target.isFile() ? { file: target } : (chunk.problems.push({ path, reason: 'not a regular file' }), null)
    followed.add(real)
    return { folder: real }
  }

  /** One directory entry: a file to list, a folder to walk, or nothing. */
  const entry = async (dir: { path: string; real: string }, e: Dirent): Promise<FileOnDisk | null> => {
    const path = join(dir.path, e.name)
    try {
      let kind: Dirent | Stats = e
      if (!e.isDirectory() && !e.isFile() && !e.isSymbolicLink()) kind = await lstat(path) // unknown type, or a pipe or device
      if (kind.isDirectory()) {
        const real = join(dir.real, e.name)
        if (!excluded(real)) stack.push({ path, real })
        return null
      }
      let file: Stats | undefined
      if (kind.isSymbolicLink()) {
        const to = await link(path, e.name, dir.real)
        if (to?.folder) stack.push({ path, real: to.folder })
        if (!to?.file) return null
        file = to.file
      }
      if (!photoNamed(e.name)) return null
      // a stat in the thread: 5-7 µs a file, where a promise through libuv's pool took 30-40 µs
      // (a million files: 6 s against 35); a batch of them blocks the loop for well under a ms
      file ??= statSync(path)
      // a named pipe or device is never opened: reading one could block the run for ever
      if (!file.isFile()) chunk.problems.push({ path, reason: 'not a regular file' })
      else return { path, folder: dir.path, size: file.size, mtimeMs: Math.trunc(file.mtimeMs) }
    } catch (err) {
      chunk.problems.push({ path, reason: `cannot read file (${code(err)})` })
    }
    return null
  }

  // a chunk is handed out only between settled batches: no entry is still writing into it
  const full = () => chunk.files.length >= CHUNK || chunk.problems.length >= CHUNK
  const take = () => {
    const out = chunk
    chunk = { files: [], problems: [] }
    return out
  }
  let pending: Promise<FileOnDisk | null>[] = []
  const settle = async () => {
    for (const f of await Promise.all(pending)) if (f) chunk.files.push(f)
    pending = []
  }
  while (stack.length && !shouldStop()) {
    const dir = stack.pop()!
    try {
      for await (const e of await opendir(dir.path, { bufferSize: 256 })) {
        if (hidden(e.name)) continue
        pending.push(entry(dir, e))
        if (pending.length < STAT_PARALLEL) continue
        await settle()
        if (full()) yield take()
        if (shouldStop()) break
      }
    } catch (err) {
      chunk.problems.push({ path: dir.path, reason: `cannot read folder (${code(err)})` })
    }
    await settle()
    if (full()) yield take()
  }
  if (chunk.files.length || chunk.problems.length) yield chunk
}

export interface Known {
  id: number
  size: number
  mtime_ms: number
  /** embedded by another model than the current one: embed again, keeping the id */
  stale?: boolean
}

type Seen = { size: number; mtime_ms: number }

/**
 * The incremental plan, one file at a time: only files that are new, changed (size or mtime) or
 * embedded by another model are processed again. It remembers the id of every indexed photo it met
 * (and the skipped files still there), so what is gone is known once the scan is whole.
 */
export class Planner {
  unchanged = 0
  private readonly seen = new Set<number>()
  /** skipped files met again, unchanged (their reasons stay) */
  readonly stillSkipped = new Set<string>()

  constructor(
    private readonly indexed: (path: string) => Known | undefined,
    private readonly skipped: Map<string, Seen>
  ) {}

  /** The work for one file on disk: null when there is none (unchanged, or the same bad file as before). */
  next(f: FileOnDisk): (FileOnDisk & { id: number | null }) | null {
    const known = this.indexed(f.path)
    const same = (k: Seen | undefined) => k !== undefined && k.size === f.size && k.mtime_ms === f.mtimeMs
    if (known) {
      if (this.seen.has(known.id)) return null // listed twice: once is enough
      this.seen.add(known.id)
      if (same(known) && !known.stale) {
        this.unchanged++
        return null
      }
    } else if (same(this.skipped.get(f.path))) {
      this.stillSkipped.add(f.path)
      return null
    }
    return { ...f, id: known?.id ?? null }
  }

  /** Of these indexed ids, those whose file the (whole) scan did not meet. */
  gone(ids: Iterable<number>): number[] {
    const out: number[] = []
    for (const id of ids) if (!this.seen.has(id)) out.push(id)
    return out
  }
}
