// One app instance per data folder: a second one is refused with a message, a stale lock (its
// process gone, e.g. after kill -9) is taken over.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { dataLayout } from './dataLayout'

export interface Lock {
  release(): void
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function acquireLock(dataDir: string): Lock {
  const file = dataLayout(dataDir).lock
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return { release: () => rmSync(file, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (pid && alive(pid)) {
        throw new Error(`another instance (pid ${pid}) is already using the data folder ${dataDir}`)
      }
      rmSync(file, { force: true })
    }
  }
  throw new Error(`cannot lock the data folder ${dataDir}`)
}
