// The API as the services answer it: one entry per method of the contract (src/shared/api.ts);
// the one dispatcher (src/main/shells/rpc.ts) validates the input and calls these.
import type { ApiHandlers } from '../../shared/api'
import type { LibraryService } from '../services/library'
import type { SearchService } from '../services/search'
import type { LabelsService } from '../services/labels'
import type { AdaptorsService } from '../services/adaptors'
import type { ModelsService } from '../services/models'
import type { FineTuneService } from '../services/finetune'
import type { PlacesService } from '../services/places'
import type { DuplicatesService } from '../services/duplicates'
import type { PeopleService } from '../services/people'
import type { PhotoTextService } from '../services/photoText'
import type { CollectionsService } from '../services/albums'

export interface Services {
  library: LibraryService
  search: SearchService
  labels: LabelsService
  adaptors: AdaptorsService
  models: ModelsService
  finetune: FineTuneService
  places: PlacesService
  duplicates: DuplicatesService
  people: PeopleService
  text: PhotoTextService
  collections: CollectionsService
}

export function apiHandlers({ library, search, labels, adaptors, models, finetune, places, duplicates, people, text, collections }: Services): ApiHandlers {
  return {
    status: () => library.status(),
    addFolder: (i) => library.addFolder(i),
    removeFolder: (i) => library.removeFolder(i),
    reindex: () => library.reindex(),
    listPhotos: (i) => library.listPhotos(i ?? {}),
    getPhoto: (i) => library.getPhoto(i),
    skipped: () => library.skipped(),
    search: (i) => search.search(i),
    labels: () => labels.labels(),
    createLabel: (i) => labels.createLabel(i),
    renameLabel: (i) => labels.renameLabel(i),
    deleteLabel: (i) => labels.deleteLabel(i),
    assignLabel: (i) => labels.assignLabel(i),
    suggestions: (i) => labels.suggestions(i ?? {}),
    train: (i) => adaptors.train(i),
    training: () => adaptors.training(),
    cancelTraining: () => adaptors.cancelTraining(),
    adaptors: () => adaptors.adaptors(),
    useAdaptor: (i) => adaptors.useAdaptor(i),
    backbone: (i) => finetune.backbone(i ?? {}),
    trainBackbone: (i) => finetune.trainBackbone(i ?? {}),
    cancelBackbone: () => finetune.cancelBackbone(),
    models: () => models.models(),
    importModel: (i) => models.importModel(i ?? {}),
    useModel: (i) => models.useModel(i),
    cancelModelSwitch: () => models.cancelModelSwitch(),
    places: async () => places.places(),
    duplicates: async (i) => duplicates.duplicates(i ?? {}),
    people: () => people.people(),
    personFaces: (i) => people.personFaces(i),
    namePerson: (i) => people.namePerson(i),
    mergePeople: (i) => people.mergePeople(i),
    removeFaces: (i) => people.removeFaces(i),
    photoText: (i) => text.photoText(i),
    timeline: (i) => library.timeline(i ?? {}),
    browseFolders: (i) => library.browseFolders(i ?? {}),
    setFavourite: (i) => collections.setFavourite(i),
    albums: () => collections.albums(),
    createAlbum: (i) => collections.createAlbum(i),
    renameAlbum: (i) => collections.renameAlbum(i),
    deleteAlbum: (i) => collections.deleteAlbum(i),
    addToAlbum: (i) => collections.addToAlbum(i),
    removeFromAlbum: (i) => collections.removeFromAlbum(i)
  }
}
