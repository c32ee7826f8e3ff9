// Small behaviours shared by the pages: ask before a destructive form is sent.
(function () {
  "use strict";
  document.querySelectorAll("form.confirm").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
