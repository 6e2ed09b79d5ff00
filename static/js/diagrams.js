// Architecture diagrams: open a part's note by click, Enter or Space; Escape closes it.
// On narrow screens the four diagrams become tabs. Without this script the notes are still
// on the page, in each diagram's "in words" list.
(function () {
  "use strict";
  const section = document.querySelector("[data-diagrams]");
  if (!section) return;
  const popover = section.querySelector(".note-popover");
  const title = popover.querySelector("h3");
  const body = popover.querySelector(".note-body");
  let opener = null;

  function openNote(el) {
    const term = document.getElementById(el.dataset.note);
    if (!term) return;
    const figure = el.closest("figure");
    title.textContent = `${figure.dataset.option}: ${term.textContent}`;
    body.replaceChildren(...Array.from(term.nextElementSibling.childNodes, (n) => n.cloneNode(true)));
    section.querySelectorAll(".is-selected").forEach((n) => n.classList.remove("is-selected"));
    el.classList.add("is-selected");
    figure.appendChild(popover);
    popover.hidden = false;
    opener = el;
    popover.querySelector(".note-close").focus({ preventScroll: true });
    popover.scrollIntoView({ block: "nearest" });
  }

  function closeNote() {
    if (popover.hidden) return;
    popover.hidden = true;
    section.querySelectorAll(".is-selected").forEach((n) => n.classList.remove("is-selected"));
    if (opener) opener.focus();
    opener = null;
  }

  section.addEventListener("click", (event) => {
    const target = event.target.closest("[data-note]");
    if (target) openNote(target);
    else if (event.target.closest(".note-close")) closeNote();
  });
  section.addEventListener("keydown", (event) => {
    const target = event.target.closest("[data-note]");
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openNote(target);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeNote();
  });

  // Tabs on narrow screens: one diagram at a time.
  const tabs = Array.from(section.querySelectorAll('[role="tab"]'));
  const narrow = window.matchMedia("(max-width: 760px)");
  // A drawing wider than its box scrolls sideways; say so while it does (nothing else shows it).
  function hints() {
    for (const figure of section.querySelectorAll(".diagram")) {
      const box = figure.querySelector(".diagram-scroll");
      const hint = figure.querySelector("[data-scroll-hint]");
      if (box && hint) hint.hidden = !(box.scrollWidth > box.clientWidth + 1);
    }
  }
  function select(tab) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).classList.toggle("is-current", on);
    }
    hints();
  }
  function layout() {
    section.classList.toggle("tabbed", narrow.matches);
    for (const t of tabs) {
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      if (narrow.matches) panel.setAttribute("role", "tabpanel");
      else panel.removeAttribute("role");
    }
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      select(next);
      next.focus();
    });
  });
  if (tabs.length) select(tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0]);
  layout();
  hints();
  narrow.addEventListener("change", () => { layout(); hints(); });
  window.addEventListener("resize", hints);
})();
