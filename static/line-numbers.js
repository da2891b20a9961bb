// Line numbers beside code textareas (.code-editor): the gutter's count and scroll follow
// the text, so "Line 3: unexpected '}'" can be found. No inline styles: CSP style-src 'self'.
(function () {
  "use strict";
  var SELECTOR = ".code-editor textarea";

  function follow(textarea) {
    var gutter = textarea.closest(".code-editor").querySelector(".gutter");
    var lines = textarea.value.split("\n").length;
    if (gutter.getAttribute("data-lines") !== String(lines)) {
      var numbers = [];
      for (var line = 1; line <= lines; line += 1) numbers.push(line);
      gutter.textContent = numbers.join("\n");
      gutter.setAttribute("data-lines", String(lines));
    }
    gutter.scrollTop = textarea.scrollTop;
  }

  function followAll() {
    document.querySelectorAll(SELECTOR).forEach(follow);
  }

  function onEvent(event) {
    if (event.target instanceof Element && event.target.matches(SELECTOR)) follow(event.target);
  }

  document.addEventListener("input", onEvent);
  document.addEventListener("scroll", onEvent, true);  // scroll does not bubble: capture it
  document.addEventListener("DOMContentLoaded", followAll);
  document.addEventListener("htmx:load", followAll);
})();
