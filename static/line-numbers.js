// Line numbers beside code textareas (.code-editor): the gutter's count and scroll follow
// the text, and an error "Line 3: ..." in the template editor gets a "Go to line 3" button.
// No inline styles: the CSP allows style-src 'self' only.
(function () {
  "use strict";
  var SELECTOR = ".code-editor textarea";
  var LINE_ERROR = /^Line (\d+):/;

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

  function offerJumps() {
    document.querySelectorAll(".template-editor .error").forEach(function (error) {
      var match = LINE_ERROR.exec(error.textContent.trim());
      var next = error.nextElementSibling;
      if (!match || (next && next.classList.contains("go-to-line"))) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small go-to-line";
      button.textContent = "Go to line " + match[1];
      button.setAttribute("data-line", match[1]);
      error.after(button);
    });
  }

  function goToLine(textarea, line) {
    var lines = textarea.value.split("\n");
    var start = line > 1 ? lines.slice(0, line - 1).join("\n").length + 1 : 0;
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
    var height = parseFloat(getComputedStyle(textarea).lineHeight);
    textarea.scrollTop = Math.max(0, (line - 1) * height - textarea.clientHeight / 3);
    follow(textarea);
  }

  function refresh() {
    document.querySelectorAll(SELECTOR).forEach(follow);
    offerJumps();
  }

  function onEvent(event) {
    if (event.target instanceof Element && event.target.matches(SELECTOR)) follow(event.target);
  }

  document.addEventListener("input", onEvent);
  document.addEventListener("scroll", onEvent, true);  // scroll does not bubble: capture it
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button.go-to-line");
    var textarea = document.querySelector(".template-editor .field-template textarea");
    if (button && textarea) goToLine(textarea, Number(button.getAttribute("data-line")));
  });
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:load", refresh);
})();
