// Path containment, the one home for "is this path inside that folder" (the media routes, the scan,
// the data-folder guard and the folder counts all ask it).
import { sep } from 'node:path'

/** True when `path` is `root` or lies under it (both absolute; compare real paths to see through links). */
export const isInside = (path: string, root: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
