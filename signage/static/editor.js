// The notice editor's live preview: redraw the notice on every target screen as the author types.
(function () {
  "use strict";
  var script = document.currentScript;
  var previewUrl = script.getAttribute("data-preview-url");
  var form = document.getElementById("notice-form");
  var pane = document.getElementById("previews");
  var template = document.getElementById("preview-template");
  if (!form || !pane || !template) return;
  var timer = null;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function targets() {
    var keys = {};
    form.querySelectorAll('input[name="groups"]:checked').forEach(function (box) {
      (box.getAttribute("data-screens") || "").split(" ").forEach(function (key) {
        if (key) keys[key] = true;
      });
    });
    form.querySelectorAll('input[name="screens"]:checked').forEach(function (box) {
      keys[box.value] = true;
    });
    var out = [];
    form.querySelectorAll('input[name="screens"]').forEach(function (box) {
      if (keys[box.value]) out.push(box);
    });
    return out;
  }

  function refresh() {
    var params = new URLSearchParams();
    ["title", "body", "category", "kind", "priority", "duration_s"].forEach(function (name) {
      params.set(name, value(name));
    });
    params.set("media", value("media_sha256"));
    var wanted = targets();
    var keep = {};
    wanted.forEach(function (box) {
      keep[box.value] = true;
      var figure = pane.querySelector('figure[data-screen="' + box.value + '"]');
      if (!figure) {
        figure = template.content.firstElementChild.cloneNode(true);
        figure.setAttribute("data-screen", box.value);
        pane.appendChild(figure);
      }
      var scale = Number(box.getAttribute("data-scale"));
      var img = figure.querySelector("img");
      img.width = Number(box.getAttribute("data-width")) * scale;
      img.height = Number(box.getAttribute("data-height")) * scale;
      img.alt = box.getAttribute("data-name");
      figure.querySelector("figcaption").textContent =
        box.getAttribute("data-name") + " · " + box.getAttribute("data-width") + "×" +
        box.getAttribute("data-height") + " · " + box.getAttribute("data-color") + " · ×" + scale;
      params.set("screen", box.value);
      var src = previewUrl + "?" + params.toString();
      if (img.getAttribute("src") !== src) img.setAttribute("src", src);
    });
    pane.querySelectorAll("figure[data-screen]").forEach(function (figure) {
      if (!keep[figure.getAttribute("data-screen")]) figure.remove();
    });
    var none = document.getElementById("no-preview");
    if (none) none.hidden = wanted.length > 0;
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
