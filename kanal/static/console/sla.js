// SLA console: "+ add a row" for the days-off and extra-working-day lists.
// A formset's empty form lives in a <template>; each click clones it with
// the next index and bumps TOTAL_FORMS so Django reads the new row.
(function () {
  "use strict";
  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-template");
    var rows = document.querySelector('.sla-rows[data-prefix="' + prefix + '"]');
    if (!total || !template || !rows) return;
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input");
    if (first) first.focus();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".sla-add");
    if (!button) return;
    event.preventDefault();
    addRow(button.getAttribute("data-target"));
  });
  // A closed day needs no hours: grey them out so nobody fills them in vain.
  function syncClosed(box) {
    var day = box.closest(".sla-day");
    if (!day) return;
    day.querySelectorAll('input[type="time"]').forEach(function (input) {
      input.disabled = box.checked;
    });
    day.classList.toggle("sla-closed", box.checked);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches('.sla-day input[type="checkbox"]')) syncClosed(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('.sla-day input[type="checkbox"]').forEach(syncClosed);
  });
})();
