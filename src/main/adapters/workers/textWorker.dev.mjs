// Runs the TypeScript worker from source (tests, tsx): Node 20 does not pass tsx's loader to workers.
import { register } from 'tsx/esm/api'

register()
await import('./textWorker.ts')
