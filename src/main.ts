import { startApp } from './ui/app.ts';

// Offline after the first visit: the service worker keeps every file the page loaded (src/sw.ts, built by vite-plugin-pwa).
if ('serviceWorker' in navigator && location.protocol !== 'file:' && !import.meta.env.DEV) {
  void navigator.serviceWorker.register('./sw.js').catch(() => {
    // private windows and some hosts refuse service workers; the lab then simply needs the network
  });
}

void startApp(document);
