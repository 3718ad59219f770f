// The service worker: once the lab has been opened it opens again without a network (a lecture hall's Wi-Fi). The
// build precaches every file of the site (page, scripts, workers, the default potential and its active set), listed
// with their hashes by vite-plugin-pwa; a new build replaces the cache as a whole on the next visit. The page itself
// is fetched network-first with a timeout, so a deployed update is seen at once when the network answers and the
// precached copy is used when it does not.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';

declare let self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<string | { url: string; revision: string | null }>;
};

/** Seconds the page waits for the network before it takes the cached page. */
const NETWORK_TIMEOUT_S = 3;

const pages = new NetworkFirst({ cacheName: 'lilab-pages', networkTimeoutSeconds: NETWORK_TIMEOUT_S });

// Registered before the precache route, so a navigation (with ?preset=... or ?potential=... in its URL) tries the
// network first; the precached index.html answers when both the network and the page cache fail.
registerRoute(
  new NavigationRoute(async (options) => {
    try {
      return await pages.handle(options);
    } catch {
      return (await matchPrecache('index.html')) ?? Response.error();
    }
  }),
);
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });
cleanupOutdatedCaches();
self.skipWaiting();
clientsClaim();
