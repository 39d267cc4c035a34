// The folder browser's listing: the folders inside a folder, and nothing else. Only the user's home
// folder and mounted volumes (/media, /mnt, /run/media) can be browsed; a path, or a link, whose real
// target lies outside them is refused like any other path check (paths.ts). Files are never listed
// (only counted, when they are images), and hidden folders are left out.
import { existsSync, realpathSync, statSync } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { UserError } from '../../../shared/errors'
import { isInside } from './paths'

export interface FolderEntry {
  name: string
  path: string
}

const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|heif|avif)$/i
const MAX_ENTRIES = 5000
const MAX_IMAGE_COUNT = 1000

/** The roots: the home folder, then the mount folders that exist; each with its real path. */
export function browseRoots(home = homedir()): (FolderEntry & { real: string })[] {
  const candidates = [
    { name: 'Home', path: home },
    { name: 'Media', path: '/media' },
    { name: 'Mounts', path: '/mnt' },
    { name: 'Removable', path: '/run/media' }
  ]
  const out: (FolderEntry & { real: string })[] = []
  for (const c of candidates) {
    try {
      if (!existsSync(c.path) || !statSync(c.path).isDirectory()) continue
      const real = realpathSync(c.path)
      // a root inside another (home under /mnt) adds nothing
      if (!out.some((o) => o.real === real)) out.push({ ...c, real })
    } catch {
      // unreadable: not offered
    }
  }
  return out
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** The folders directly inside `path`, if its real path lies inside a root. */
export async function listFolders(path: string, roots = browseRoots()): Promise<{ path: string; parent: string | null; folders: FolderEntry[]; images: number }> {
  const abs = resolve(path)
  const real = await realpath(abs).catch(() => null)
  if (real === null) throw new UserError(`folder not found: ${abs}`, 404)
  const root = roots.find((r) => isInside(real, r.real))
  if (!root) throw new UserError('only folders in your home folder or on a mounted volume (/media, /mnt, /run/media) can be browsed', 403)
  if (!(await stat(real)).isDirectory()) throw new UserError(`not a folder: ${abs}`, 400)
  let entries
  try {
    entries = await readdir(real, { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(code === 'EACCES' || code === 'EPERM' ? `no permission to open ${abs}` : `cannot open ${abs} (${code})`, 403)
  }
  const folders: FolderEntry[] = []
  let images = 0
  for (const e of entries.slice(0, MAX_ENTRIES)) {
    if (e.name.startsWith('.')) continue
    if (e.isFile() && IMAGE.test(e.name)) images = Math.min(MAX_IMAGE_COUNT, images + 1)
    if (!e.isDirectory() && !e.isSymbolicLink()) continue
    const child = join(real, e.name)
    if (e.isSymbolicLink()) {
      // a link is listed only when it leads to a folder that is itself inside a root
      const target = await realpath(child).catch(() => null)
      if (!target || !roots.some((r) => isInside(target, r.real)) || !(await stat(target).catch(() => null))?.isDirectory()) continue
    }
    folders.push({ name: e.name, path: child })
  }
  folders.sort((a, b) => natural.compare(a.name, b.name))
  const up = dirname(real)
  const parent = real !== root.real && isInside(up, root.real) ? up : null
  return { path: real, parent, folders, images }
}
