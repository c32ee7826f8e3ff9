// Small behaviours shared by the pages: ask before a destructive form is sent.
(function () {
  "use strict";
  document.querySelectorAll("form.confirm").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
// A print button on the reports (inline handlers are not allowed by the CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
// The dashboard: while it is open, ask the players for fresh screenshots every 30 s and show
// them (the controller answers their next heartbeats "send a screenshot now").
(function () {
  "use strict";
  var board = document.querySelector("[data-refresh-shots]");
  if (!board) return;
  var token = board.getAttribute("data-csrf");
  window.setInterval(function () {
    fetch(board.getAttribute("data-refresh-shots"), {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    }).catch(function () {});
    board.querySelectorAll("img.shot").forEach(function (img) {
      var url = new URL(img.src, window.location.href);
      url.searchParams.set("t", String(Date.now()));
      img.src = url.toString();
    });
  }, 30000);
})();
