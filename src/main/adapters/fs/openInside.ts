// Opening a photo safely: one open, then the check is of the open descriptor, never of the path.
// Checking a path and opening it are two steps an attacker can race (swap a folder for a symlink
// between them); reading, hashing, decoding and serving from the one descriptor that passed leaves
// nothing to race.
import { constants } from 'node:fs'
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises'
import { isInside } from './paths'

export class OutsideLibraryError extends Error {}

/** The library folders as real paths (a folder that is gone is left out): what openInside checks against. */
export async function realRoots(folders: readonly string[]): Promise<string[]> {
  return (await Promise.all(folders.map((f) => realpath(f).catch(() => null)))).filter((r): r is string => r !== null)
}

/**
 * Where the open file lies. On Linux the kernel says (/proc/self/fd/N names the descriptor's own
 * file, through no symlink): realpath(path) walks the path again, and a folder swapped back and
 * forth with a link meanwhile gives a path that is inside the library and leads outside when it is
 * stat'ed next (a swap loop read outside files through it). Elsewhere: the path's real path, which
 * the device and inode check below catches in all but that race.
 */
async function locate(handle: FileHandle, path: string): Promise<string | null> {
  const held = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null)
  if (held?.startsWith('/') && !held.endsWith(' (deleted)')) return held
  return realpath(path).catch(() => null)
}

/**
 * Opens `path` read-only and returns the handle only when the open file is a regular file that lies
 * inside one of `roots` (real paths): the descriptor's device and inode must be those of the file at
 * the path's real location, and that location must be inside a root. A named pipe is never waited
 * on (O_NONBLOCK) and never read. A file inside one of `exclude` (real paths: the app's own data
 * folder, when a library folder holds it) is refused too. Throws OutsideLibraryError, or the open's
 * own error (ENOENT, EACCES…).
 */
export async function openInside(path: string, roots: readonly string[], exclude: readonly string[] = []): Promise<FileHandle> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const opened = await handle.stat({ bigint: true })
    if (!opened.isFile()) throw new OutsideLibraryError('not a regular file')
    const real = await locate(handle, path)
    const there = real ? await stat(real, { bigint: true }).catch(() => null) : null
    // the path may have been swapped after the open: what counts is the file the descriptor holds
    if (!real || !there || there.dev !== opened.dev || there.ino !== opened.ino) throw new OutsideLibraryError('the file changed while it was opened')
    if (!roots.some((r) => isInside(real, r))) throw new OutsideLibraryError('the file lies outside the library folders')
    if (exclude.some((x) => isInside(real, x))) throw new OutsideLibraryError("the file lies in the app's own data folder")
    return handle
  } catch (err) {
    await handle.close()
    throw err
  }
}
