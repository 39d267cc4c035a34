// The width of a face embedding (FaceRes), apart from the model so the main process can know it
// without loading tfjs.
export const FACE_DIMS = 1024
