// When a photo was taken, the one home for it: its EXIF date, else its file's time read as local
// wall-clock time (as cameras write EXIF dates). The timeline groups by it and date words search it.
import type { PhotoMeta } from '../ports/photos'

/** A file time as the machine's local wall-clock time, the way cameras write EXIF dates. */
export function localIso(ms: number): string {
  const d = new Date(ms)
  return new Date(ms - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19)
}

/** When the photo was taken, or its file's time (file: true) when it carries no date. */
export const photoDate = (m: Pick<PhotoMeta, 'taken_at' | 'mtime_ms'>): { date: string; file: boolean } =>
  m.taken_at ? { date: m.taken_at, file: false } : { date: localIso(m.mtime_ms), file: true }

/** The day a photo was taken (YYYY-MM-DD). */
export const photoDay = (m: Pick<PhotoMeta, 'taken_at' | 'mtime_ms'>): string => photoDate(m).date.slice(0, 10)
