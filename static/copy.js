/* Copy buttons: <button type="button" data-copy="FIELD-ID" hidden>Copy</button>.
 * The button is shown only when this script runs. It copies the field's text with the
 * Clipboard API; where that is missing or refused (a page served over plain http from
 * another host), it selects the text so that Ctrl+C / Cmd+C copies it. No inline script
 * or style: the Content Security Policy allows only files from Herald itself. */
(function () {
  "use strict";

  function statusOf(button) {
    var id = button.getAttribute("data-copy-status");
    return id ? document.getElementById(id) : null;
  }

  function say(button, text) {
    var status = statusOf(button);
    if (status) { status.textContent = text; }
  }

  function select(field) {
    field.focus();
    if (typeof field.select === "function") {
      field.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(field);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallback(button, field) {
    select(field);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    say(button, copied ? "Copied." : "Selected: press Ctrl+C (Cmd+C on a Mac) to copy.");
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var text = "value" in field ? field.value : field.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { say(button, "Copied."); },
        function () { fallback(button, field); }
      );
    } else {
      fallback(button, field);
    }
  }

  function showButtons(root) {
    var buttons = root.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i += 1) { buttons[i].hidden = false; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (button) { copy(button); }
  });
  document.addEventListener("htmx:afterSettle", function (event) { showButtons(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { showButtons(document); });
  } else {
    showButtons(document);
  }
}());
