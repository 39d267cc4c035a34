// The app's screens, in the order of the sidebar. A screen is a component; one that shows photos
// renders PhotoView with its scope (app.navigate). Adding one (People, Places, Duplicates...) is an
// entry here and its component beside this file; App.svelte and the sidebar need no change.
import type { Component } from 'svelte'
import type { Scope } from '../lib/app.svelte'
import AlbumsScreen from './AlbumsScreen.svelte'
import FavouritesScreen from './FavouritesScreen.svelte'
import PhotosScreen from './PhotosScreen.svelte'
import PeopleView from './PeopleView.svelte'
import PlacesView from './PlacesView.svelte'
import DuplicatesScreen from '../components/DuplicatesScreen.svelte'

export interface Screen {
  id: string
  label: string
  /** an SVG path (24x24 view box, stroked) */
  icon: string
  component: Component
  /** the photos it is about, when not all of them */
  scope?: Scope
}

export const screens: Screen[] = [
  { id: 'photos', label: 'Photos', icon: 'M4 5h16v14H4zM4 15l4-4 4 4 3-3 5 5M15 9.5a1.5 1.5 0 1 0 0-.01', component: PhotosScreen },
  { id: 'albums', label: 'Albums', icon: 'M4 7h16v12H4zM7 4h10M9 13l2 2 4-4', component: AlbumsScreen },
  { id: 'favourites', label: 'Favourites', icon: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z', component: FavouritesScreen, scope: { filter: { favourite: true }, title: 'Favourites' } },
  { id: 'people', label: 'People', icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 20c0-4 3.6-6 8-6s8 2 8 6', component: PeopleView },
  { id: 'places', label: 'Places', icon: 'M12 21s-6-5.5-6-11a6 6 0 1 1 12 0c0 5.5-6 11-6 11zM12 12a2 2 0 1 0 0-4 2 2 0 0 0 0 4', component: PlacesView },
  { id: 'duplicates', label: 'Duplicates', icon: 'M9 9h11v11H9zM4 4h11v11', component: DuplicatesScreen }
]

export const screenById = (id: string): Screen => screens.find((s) => s.id === id) ?? screens[0]
