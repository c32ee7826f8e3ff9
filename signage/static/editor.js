// The notice editor's live preview: redraw the notice on every target screen as the author types.
(function () {
  "use strict";
  var script = document.currentScript;
  var previewUrl = script.getAttribute("data-preview-url");
  var playingUrl = script.getAttribute("data-playing-url");
  var noticeId = script.getAttribute("data-notice");
  var form = document.getElementById("notice-form");
  var pane = document.getElementById("previews");
  var template = document.getElementById("preview-template");
  if (!form || !pane || !template) return;
  var timer = null;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function chosenImage() {
    var input = form.elements["image"];
    return input && input.files && input.files.length ? input.files[0] : null;
  }

  // Choosing an image for a text notice makes it an image notice (it would be dropped else).
  if (form.elements["image"] && form.elements["kind"]) {
    form.elements["image"].addEventListener("change", function () {
      if (chosenImage() && form.elements["kind"].value !== "image") {
        form.elements["kind"].value = "image";
      }
    });
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
      var file = chosenImage();
      if (file && value("kind") === "image") {
        // An image not saved yet: drawn from the file itself, sent with the form's token.
        var key = src + "#" + file.name + file.size + file.lastModified;
        if (figure.getAttribute("data-drawn") !== key) {
          figure.setAttribute("data-drawn", key);
          var data = new FormData();
          data.append("image", file);
          data.append("csrf_token", value("csrf_token"));
          fetch(src, { method: "POST", body: data, credentials: "same-origin" })
            .then(function (answer) { return answer.ok ? answer.blob() : null; })
            .then(function (blob) { if (blob) img.src = URL.createObjectURL(blob); });
          playing(figure, params);
        }
      } else if (img.getAttribute("src") !== src) {
        figure.removeAttribute("data-drawn");
        img.setAttribute("src", src);
        playing(figure, params);
      }
    });
    pane.querySelectorAll("figure[data-screen]").forEach(function (figure) {
      if (!keep[figure.getAttribute("data-screen")]) figure.remove();
    });
    var none = document.getElementById("no-preview");
    if (none) none.hidden = wanted.length > 0;
  }

  // How long it takes on the screen, how often it comes round, and the warnings.
  function playing(figure, params) {
    var query = new URLSearchParams(params);
    if (noticeId) query.set("notice", noticeId);
    var list = figure.querySelector("ul.timing");
    if (!list || !playingUrl) return;
    fetch(playingUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : { lines: [] }; })
      .then(function (data) {
        list.textContent = "";
        data.lines.forEach(function (line) {
          var item = document.createElement("li");
          item.textContent = (line.warning ? "⚠ " : "") + line.text;
          if (line.warning) item.className = "warn";
          list.appendChild(item);
        });
      })
      .catch(function () { list.textContent = ""; });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  // A 公示 whose window was too short: the error offers the end the window must reach.
  var setUntil = document.getElementById("set-until");
  if (setUntil && form.elements["valid_until"]) {
    setUntil.addEventListener("click", function () {
      form.elements["valid_until"].value = setUntil.getAttribute("data-value");
      form.elements["valid_until"].focus();
    });
  }

  refresh();
  pane.querySelectorAll("figure[data-screen]").forEach(function (figure) {
    var img = figure.querySelector("img");
    if (img && img.getAttribute("src")) {
      playing(figure, new URL(img.getAttribute("src"), location.href).searchParams);
    }
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
