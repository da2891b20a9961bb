// The rows' More menus (<details class="more">) behave as menus: one open at a time, closed
// by Escape or a click elsewhere. Without JavaScript they still open and close.
(function () {
  "use strict";

  function closeAll(except) {
    document.querySelectorAll("details.more[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("click", function (event) {
    closeAll(event.target instanceof Element ? event.target.closest("details.more") : null);
  });

  document.addEventListener("keydown", function (event) {
    var menu = document.querySelector("details.more[open]");
    if (event.key === "Escape" && menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
