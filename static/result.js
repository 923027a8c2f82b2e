// The result page. While a job is queued or running: poll the job endpoint the API uses (the
// session authenticates it), move the progress bar, and once it is done swap the finished result
// in place (the page's own fragment view), without a reload. On a result: the image viewer (side
// by side, swipe, onion skin, difference, zoom), the text diff's layout and folds, and the
// timeline that seeks both players. Loaded from a file: the CSP allows no inline script, and no
// inline style either, so sizes are set through the CSSOM (element.style), which it allows.
(function () {
  "use strict";
  var page = document.getElementById("result-page");
  if (!page) return;

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  // --- live progress ---------------------------------------------------------------------------
  // Quick at first (a short job is done in a second or two), then every 1.5 s: about 40
  // requests a minute, inside the API's limits (3 a second, 60 a minute).
  var POLL_MS = 1500;
  var FIRST_POLLS_MS = [300, 500, 700, 1000];
  var TITLES = {queued: "Queued — waiting for a worker…", processing: "Comparing…"};

  function watch() {
    var card = document.getElementById("result");
    if (!card || (card.dataset.status !== "queued" && card.dataset.status !== "processing")) return;
    var polls = 0;
    function next() { return polls < FIRST_POLLS_MS.length ? FIRST_POLLS_MS[polls++] : POLL_MS; }
    function poll() {
      fetch(card.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (response.status === 401 || response.status === 403) { window.location.reload(); return null; }
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (job) {
          if (!job) return; // signed out meanwhile: the reload shows the sign-in page
          if (job.status === "done" || job.status === "error") { progress(100, null); finish(); return; }
          progress(job.progress || 0, job.status);
          setTimeout(poll, next());
        })
        .catch(function () { setTimeout(poll, POLL_MS * 3); });
    }
    setTimeout(poll, next());
  }

  function progress(pct, status) {
    var bar = document.getElementById("progress");
    if (bar) { bar.value = pct; bar.textContent = pct + " %"; }
    var label = document.getElementById("pct");
    if (label) label.textContent = pct;
    var title = document.getElementById("pending-title");
    if (title && TITLES[status]) title.textContent = TITLES[status];
  }

  function finish() {
    fetch(page.dataset.fragmentUrl, {credentials: "same-origin"})
      .then(function (response) {
        // signed out meanwhile (a redirect to sign in) or any failure: a plain reload shows it
        if (!response.ok || response.redirected) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        page.innerHTML = html; // the server's own escaped HTML, for the owner only
        enhance(page);
        var announce = document.getElementById("result-announce");
        var card = document.getElementById("result");
        if (announce && card) {
          announce.textContent = card.dataset.status === "done" ? "The comparison is done." : "The comparison failed.";
        }
      })
      .catch(function () { window.location.reload(); });
  }

  // --- images ----------------------------------------------------------------------------------
  function imageViewer(root) {
    var viewer = root.querySelector("#image-viewer");
    var bar = viewer && viewer.querySelector("#viewer-bar");
    if (!bar) return; // the originals are gone: only the difference map is left
    bar.hidden = false;
    var tabs = all(bar, "[data-show]");
    var views = all(viewer, ".view");
    function select(name) {
      viewer.dataset.view = name;
      tabs.forEach(function (tab) { tab.setAttribute("aria-pressed", String(tab.dataset.show === name)); });
      views.forEach(function (view) { view.hidden = view.dataset.view !== name; });
    }
    tabs.forEach(function (tab) { tab.addEventListener("click", function () { select(tab.dataset.show); }); });
    select("side");

    var swipe = viewer.querySelector("#swipe");
    var stage = viewer.querySelector("#swipe-stage");
    function split() { stage.style.setProperty("--split", swipe.value + "%"); }
    swipe.addEventListener("input", split);
    split();
    // Dragging on the picture itself moves the divider too.
    var dragging = false;
    function follow(event) {
      var box = stage.getBoundingClientRect();
      swipe.value = String(Math.max(0, Math.min(100, 100 * (event.clientX - box.left) / box.width)));
      split();
    }
    stage.addEventListener("pointerdown", function (event) {
      dragging = true;
      stage.setPointerCapture(event.pointerId);
      follow(event);
    });
    stage.addEventListener("pointermove", function (event) { if (dragging) follow(event); });
    stage.addEventListener("pointerup", function () { dragging = false; });
    stage.addEventListener("pointercancel", function () { dragging = false; });

    var onion = viewer.querySelector("#onion");
    var top = viewer.querySelector("#onion-top");
    function fade() { top.style.opacity = String(onion.value / 100); }
    onion.addEventListener("input", fade);
    fade();

    var boxes = viewer.querySelector("#show-boxes");
    if (boxes) boxes.addEventListener("change", function () { viewer.classList.toggle("no-boxes", !boxes.checked); });

    var zoom = viewer.querySelector("#zoom");
    function zoomed(on) {
      viewer.classList.toggle("zoomed", on);
      zoom.setAttribute("aria-pressed", String(on));
      zoom.textContent = on ? "Fit to the page" : "Actual size (100 %)";
    }
    zoom.addEventListener("click", function () { zoomed(!viewer.classList.contains("zoomed")); });
    all(viewer, '.view[data-view="side"] img, .view[data-view="diff"] img').forEach(function (img) {
      img.addEventListener("click", function () { zoomed(!viewer.classList.contains("zoomed")); });
    });
  }

  // --- text ------------------------------------------------------------------------------------
  function textDiff(root) {
    var diff = root.querySelector("#textdiff");
    if (!diff) return;
    var tabs = diff.querySelector("#diff-tabs");
    var buttons = all(tabs, "[data-layout]");
    function layout(name) {
      diff.dataset.view = name;
      buttons.forEach(function (button) { button.setAttribute("aria-pressed", String(button.dataset.layout === name)); });
    }
    buttons.forEach(function (button) { button.addEventListener("click", function () { layout(button.dataset.layout); }); });
    tabs.hidden = false;
    layout(window.matchMedia("(max-width: 700px)").matches ? "unified" : "side");
    all(diff, "[data-unfold]").forEach(function (button) {
      button.addEventListener("click", function () {
        all(diff, '[data-fold="' + button.dataset.unfold + '"]').forEach(function (row) { row.hidden = false; });
        button.closest("tr").hidden = true;
      });
    });
  }

  // --- audio and video -------------------------------------------------------------------------
  function mediaTimeline(root) {
    var a = root.querySelector("#player-a");
    var b = root.querySelector("#player-b");
    var timeline = root.querySelector("#timeline");
    if (!a || !b || !timeline) return;
    function seek(ta, tb) {
      a.currentTime = Math.max(0, ta);
      b.currentTime = Math.max(0, tb);
    }
    all(root, "[data-seek-a]").forEach(function (element) {
      element.addEventListener("click", function (event) {
        event.stopPropagation();
        seek(parseFloat(element.dataset.seekA), parseFloat(element.dataset.seekB));
      });
    });
    // A click anywhere else on a lane goes to that moment in both files, lined up by the offset.
    var length = parseFloat(timeline.dataset.length);
    var offset = parseFloat(timeline.dataset.offset) || 0;
    all(timeline, "svg.lane").forEach(function (lane) {
      lane.addEventListener("click", function (event) {
        var box = lane.getBoundingClientRect();
        var at = length * (event.clientX - box.left) / box.width;
        if (lane.dataset.lane === "a") seek(at, at + offset); else seek(at - offset, at);
      });
    });
  }

  function enhance(root) {
    imageViewer(root);
    textDiff(root);
    mediaTimeline(root);
    watch();
  }

  enhance(page);
})();
