// A picker for weekly times (opening hours, dayparts): tick the weekdays, give a time range, and
// "Add" writes it into the text field in its own form (1-5 08:00-18:00), which stays the stored
// form and stays editable. The labels come from the field's data-* attributes (translated).
(function () {
  "use strict";
  document.querySelectorAll("input[data-hours-picker]").forEach(function (field, n) {
    var d = field.dataset;
    var days = (d.days || "1,2,3,4,5,6,7").split(",");
    var box = document.createElement("fieldset");
    box.className = "hours-picker";
    var legend = document.createElement("legend");
    legend.textContent = d.legend;
    box.appendChild(legend);
    var checks = [];
    days.forEach(function (name, i) {
      var label = document.createElement("label");
      label.className = "check";
      var check = document.createElement("input");
      check.type = "checkbox";
      check.value = String(i + 1);
      check.checked = i < 5;
      checks.push(check);
      label.appendChild(check);
      label.appendChild(document.createTextNode(" " + name));
      box.appendChild(label);
    });
    function time(labelText, value) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "time";
      input.value = value;
      input.id = "hours-picker-" + n + "-" + labelText.length + "-" + value.replace(":", "");
      label.appendChild(document.createTextNode(labelText + " "));
      label.appendChild(input);
      box.appendChild(label);
      return input;
    }
    var from = time(d.from, "08:00");
    var until = time(d.until, "18:00");
    var add = document.createElement("button");
    add.type = "button";
    add.textContent = d.add;
    box.appendChild(add);
    add.addEventListener("click", function () {
      var picked = checks.filter(function (c) { return c.checked; }).map(function (c) {
        return Number(c.value);
      });
      if (!picked.length || !from.value || !until.value) return;
      var range = from.value + "-" + (until.value === "00:00" ? "24:00" : until.value);
      var entries = [];
      if (picked.length === 7) {
        entries.push(range);
      } else {
        // Runs of consecutive days: 1-3, 5.
        var start = picked[0], prev = picked[0];
        picked.slice(1).concat([0]).forEach(function (day) {
          if (day === prev + 1) { prev = day; return; }
          entries.push((start === prev ? String(start) : start + "-" + prev) + " " + range);
          start = prev = day;
        });
      }
      var current = field.value.trim();
      field.value = (current ? current + "," : "") + entries.join(",");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    field.closest("label").insertAdjacentElement("afterend", box);
  });
})();
