/** An error the user caused and can fix: the shells answer it with a 4xx and its message. */
export class UserError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message)
  }
}

/** Why a run failed, in words a user can act on; the full message stays at the end for a report. */
export function runFailure(err: unknown, dataDir: string): string {
  const message = (err as Error)?.message ?? String(err)
  if (/ENOSPC|no space left on device|os error 28/i.test(message)) {
    return `indexing failed: the disk holding the data folder ${dataDir} is full (ENOSPC); free some space and index again. Details: ${message}`
  }
  if (/EROFS|read-only file system|os error 30/i.test(message)) {
    return `indexing failed: the data folder ${dataDir} is on a read-only file system (EROFS). Details: ${message}`
  }
  return `indexing failed: ${message}`
}
