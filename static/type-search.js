// The search field above an Integration dropdown: typing hides the types that do not
// match, Enter picks the first one left. Without JavaScript the field stays hidden and the
// whole grouped list is there.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("input.type-search[hidden]").forEach(function (field) {
      field.hidden = false;
    });
  }

  function selectFor(field) {
    return document.getElementById(field.dataset.filters);
  }

  function filter(field) {
    var select = selectFor(field);
    if (!select) return;
    var needle = field.value.trim().toLowerCase();
    select.querySelectorAll("optgroup").forEach(function (group) {
      var shown = 0;
      var groupMatches = group.label.toLowerCase().indexOf(needle) !== -1;
      group.querySelectorAll("option").forEach(function (option) {
        var match = !needle || groupMatches || option.selected ||
          option.textContent.toLowerCase().indexOf(needle) !== -1 ||
          option.value.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  function pickFirst(field) {
    var select = selectFor(field);
    if (!select || !field.value.trim()) return;
    var candidates = Array.prototype.filter.call(select.options, function (option) {
      return !option.hidden && !option.parentElement.hidden;
    });
    var first = candidates.filter(function (option) { return !option.selected; })[0];
    if (!first) return;
    select.value = first.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("input.type-search")) filter(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input.type-search")) {
      event.preventDefault(); // never submit the contact point form from the search field
      pickFirst(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
