/* Registers the bundle's service worker (sw.js, made by relief), so that after one visit the page
   works with the network off. The worker's address is written into data-worker relative to the
   page; its scope is the folder it lives in, the bundle's root, wherever the bundle is published.
   Service workers run only over http(s) (a page opened from a file has none). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  var worker = new URL(me.getAttribute("data-worker"), document.baseURI);
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(worker.href, {scope: new URL("./", worker).href})
      .catch(function () { /* no worker (private mode, blocked): the page works online as before */ });
  });
})();
