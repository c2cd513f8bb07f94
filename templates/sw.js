/* The service worker of the bundle, made by relief from templates/sw.js (see relief/render/offline.py).
   It keeps one build in one cache, "relief:<the bundle's path>:<version>" (one origin may host several
   bundles at several paths: each deletes only its own old caches): every page, stylesheet, script and
   picture and the 404 page, fetched fresh from the host when it installs. Pages come from the network first (the
   newest text) and from the cache when the network is off or slower than NETWORK_SECONDS; every other
   file of the bundle comes from the cache. Asset names carry a hash of their bytes, so a page always
   gets exactly the files it names: never the old page with new files, or the reverse.
   Built with "offline: false" (KEEP false), it keeps nothing: it deletes the bundle's caches and
   unregisters itself, so a visitor of an earlier build is left with no worker after the next visit. */
"use strict";

var KEEP = {{ keep | tojson }};
var VERSION = {{ version | tojson }};
var FILES = {{ files | tojson }};  /* [address relative to the bundle's root, integrity hash of its bytes] */
var NETWORK_SECONDS = 3;
var ROOT = new URL("./", self.location.href).href;
var PREFIX = "relief:" + new URL(ROOT).pathname + ":";
var CACHE = PREFIX + VERSION;
var KEPT = new Set(FILES.map(function (file) { return new URL(file[0], ROOT).href; }));

self.addEventListener("install", function (event) {
  if (!KEEP) {
    event.waitUntil(self.skipWaiting());
    return;
  }
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    /* "reload": from the host, never from the browser's HTTP cache; "integrity": exactly this build's
       bytes (else the install fails, and the browser tries again on a later visit) */
    return cache.addAll(FILES.map(function (file) {
      return new Request(new URL(file[0], ROOT).href, {cache: "reload", integrity: file[1]});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && !(KEEP && name === CACHE);
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return KEEP ? self.clients.claim() : self.registration.unregister(); }));
});

function cached(url) {
  /* caches.match, not caches.open: opening would make the cache anew after the preview deleted it */
  return caches.match(url, {cacheName: CACHE, ignoreSearch: true});
}

function kept(url) {
  /* The cache key of a page visited as slug/index.html or slug (without the slash), if it is kept. */
  var plain = url.split(/[?#]/)[0];
  var candidates = [plain, plain.replace(/index\.html$/, ""), plain + "/"];
  for (var i = 0; i < candidates.length; i++) {
    if (KEPT.has(candidates[i])) return candidates[i];
  }
  return null;
}

function offlinePage(url) {
  var key = kept(url);
  return (key ? cached(key) : Promise.resolve(undefined)).then(function (response) {
    if (response) return response;
    return cached(new URL("404.html", ROOT).href).then(function (missing) {
      if (!missing) return Response.error();
      return new Response(missing.body, {status: 404, statusText: "Not Found", headers: missing.headers});
    });
  });
}

function navigate(request) {
  /* The network first, revalidated with the host (never a page the browser's HTTP cache kept, which
     could name files of an older build); the cache if it fails, errs or is slow. The request is
     passed on as it came (only its cache mode changed), so a redirect (slug to slug/) reaches the
     browser as a redirect and the address bar shows where the page really is. */
  var network = fetch(new Request(request, {cache: "no-cache"})).then(function (response) {
    if (response.status >= 500) throw new Error("server error " + response.status);
    return response;
  });
  network.catch(function () { /* failing after the cache answered is no error */ });
  var slow = new Promise(function (resolve) { setTimeout(resolve, NETWORK_SECONDS * 1000, "slow"); });
  return Promise.race([network, slow]).then(function (first) {
    if (first !== "slow") return first;
    return offlinePage(request.url).then(function (response) {
      /* nothing kept for this address: wait for the network after all */
      return response.status === 404 || response.type === "error" ? network.catch(function () { return response; }) : response;
    });
  }).catch(function () { return offlinePage(request.url); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!KEEP || request.method !== "GET" || request.url.indexOf(ROOT) !== 0) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
    return;
  }
  var key = kept(request.url);
  if (!key) return;  /* not a file of this build: the browser fetches it as usual */
  event.respondWith(cached(key).then(function (response) { return response || fetch(request); }));
});
