// The API docs page (Swagger UI): what Swagger UI renders without, applied as it renders (axe:
// button-name, label-content-name-mismatch, scrollable-region-focusable).
(function () {
  function mend(root) {
    root.querySelectorAll(".close-modal:not([aria-label])").forEach(function (b) {
      b.setAttribute("aria-label", "Close");
    });
    // Response bodies scroll inside their box: keyboard users must be able to reach and scroll
    // them (axe: scrollable-region-focusable).
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (pre) {
      pre.tabIndex = 0;
    });
    // A button's accessible name must contain its visible text (WCAG 2.5.3, label in name).
    root.querySelectorAll("button[aria-label]").forEach(function (b) {
      var text = b.textContent.trim();
      if (text && b.getAttribute("aria-label").toLowerCase().indexOf(text.toLowerCase()) === -1) {
        b.removeAttribute("aria-label");
      }
    });
  }
  var target = document.getElementById("swagger-ui");
  new MutationObserver(function () { mend(target); }).observe(target, {childList: true, subtree: true});
})();
