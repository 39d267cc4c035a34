// Opening a photo safely: one open, then the check is of the open descriptor, never of the path.
// Checking a path and opening it are two steps an attacker can race (swap a folder for a symlink
// between them); reading, hashing, decoding and serving from the one descriptor that passed leaves
// nothing to race.
import { constants, existsSync } from 'node:fs'
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises'
import { isInside } from './paths'

export class OutsideLibraryError extends Error {}

/** The library folders as real paths (a folder that is gone is left out): what openInside checks against. */
export async function realRoots(folders: readonly string[]): Promise<string[]> {
  return (await Promise.all(folders.map((f) => realpath(f).catch(() => null)))).filter((r): r is string => r !== null)
}

/** Linux names the file an open descriptor holds (/proc/self/fd/N): no path is resolved again. */
const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd')

/**
 * Where the open file lies. On Linux the kernel's own name for the descriptor, which no later swap
 * of a folder or link can change. Elsewhere the path's real location, accepted only when the file
 * there is the one the descriptor holds (same device and inode); that takes two lookups, so a swap
 * between them is refused as a change, never read.
 */
async function openedAt(handle: FileHandle, path: string, opened: { dev: bigint; ino: bigint }): Promise<string> {
  if (PROC_FD) {
    const where = await readlink(`/proc/self/fd/${handle.fd}`)
    if (where.endsWith(' (deleted)')) throw new OutsideLibraryError('the file was deleted while it was opened')
    return where
  }
  const real = await realpath(path).catch(() => null)
  const there = real ? await stat(real, { bigint: true }).catch(() => null) : null
  // the path may have been swapped after the open: what counts is the file the descriptor holds
  if (!real || !there || there.dev !== opened.dev || there.ino !== opened.ino) throw new OutsideLibraryError('the file changed while it was opened')
  return real
}

/**
 * Opens `path` read-only and returns the handle only when the open file is a regular file that lies
 * inside one of `roots` (real paths), judged by the descriptor (see openedAt). A named pipe is never
 * waited on (O_NONBLOCK) and never read. A file inside one of `exclude` (real paths: the app's own
 * data folder, when a library folder holds it) is refused too. Throws OutsideLibraryError, or the
 * open's own error (ENOENT, EACCES…).
 */
export async function openInside(path: string, roots: readonly string[], exclude: readonly string[] = []): Promise<FileHandle> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const opened = await handle.stat({ bigint: true })
    if (!opened.isFile()) throw new OutsideLibraryError('not a regular file')
    const where = await openedAt(handle, path, opened)
    if (!roots.some((r) => isInside(where, r))) throw new OutsideLibraryError('the file lies outside the library folders')
    if (exclude.some((x) => isInside(where, x))) throw new OutsideLibraryError("the file lies in the app's own data folder")
    return handle
  } catch (err) {
    await handle.close()
    throw err
  }
}
