// The routing tester's area list: typing narrows the <select> to matching areas.
(function () {
  "use strict";
  function normal(text) { return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  document.querySelectorAll(".route-area-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.filters);
    if (!select) { return; }
    input.addEventListener("input", function () {
      var words = normal(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var text = normal(option.text);
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match && first === null) { first = option; }
      });
      if (words.length && first && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
        select.value = first.value;
      } else if (words.length && first && !select.value) {
        select.value = first.value;
      }
    });
  });
})();
