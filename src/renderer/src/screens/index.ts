// The app's screens, in the order of the sidebar. A screen is a component; one that shows photos
// renders PhotoView with its scope (app.navigate). Adding one (People, Places, Duplicates...) is an
// entry here and its component beside this file; App.svelte and the sidebar need no change.
import type { Component } from 'svelte'
import type { Scope } from '../lib/app.svelte'
import AlbumsScreen from './AlbumsScreen.svelte'
import FavouritesScreen from './FavouritesScreen.svelte'
import PhotosScreen from './PhotosScreen.svelte'

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
  { id: 'favourites', label: 'Favourites', icon: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z', component: FavouritesScreen, scope: { filter: { favourite: true }, title: 'Favourites' } }
]

export const screenById = (id: string): Screen => screens.find((s) => s.id === id) ?? screens[0]
