// Messages between the engine and its faces worker.

export interface FoundFace {
  /** x, y, width, height as fractions of the upright photo's sides */
  box: [number, number, number, number]
  score: number
  embedding: Float32Array
  /** a small JPEG of the face with a margin, for the People screen */
  crop: Uint8Array
}

export interface ClusterJob {
  dataDir: string
  /** every current face, with its person (-1: to assign), in the order new faces are taken */
  keys: string[]
  persons: Int32Array
  /** [key, person] pairs the user took apart */
  rejects: [string, number][]
  nextPerson: number
  threshold: number
  shortlistDims: number
  shortlistK: number
}

export interface ClusterOutcome {
  persons: Int32Array
  created: number[]
  /** faces the space was fitted on (0: too few faces yet, clustered on the raw embedding) and its prefix quality */
  space: { faces: number; dims: number; before: number[]; after: number[] } | null
}

export type FaceRequest =
  | { type: 'init' }
  | { type: 'detect'; id: number; bytes: Uint8Array }
  | ({ type: 'cluster'; id: number } & ClusterJob)

export type FaceReply =
  | { type: 'ready' }
  | { type: 'detected'; id: number; faces: FoundFace[]; width: number; height: number }
  | ({ type: 'clustered'; id: number } & ClusterOutcome)
  | { type: 'error'; id: number; message: string }
