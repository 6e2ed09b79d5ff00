// Quiz and exam answers that are never lost. Without this script every way off the page (Previous,
// Next, a navigator cell, flag, submit) is a button of the answer form, so the server keeps the
// pick on the way out. With it, an exam's pick is also saved the moment it is made (the server
// answers JSON through the same view and the one answering service), the page says "saved", and
// leaving with a pick that cannot be saved (too few options of a "choose two") asks first.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) return;
  var state = form.querySelector("[data-save-state]");
  var required = parseInt(form.getAttribute("data-required"), 10) || 1;
  var saveOnPick = form.hasAttribute("data-save-on-pick");
  var pending = null;   // the save in flight, if any
  var dirty = false;    // a pick made and not yet stored
  var leaving = false;  // the form is being sent: the pick goes with it

  function picked() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=selected]:checked"), function (i) { return i.value; });
  }
  function say(kind, text) {
    state.setAttribute("data-save-state", kind);
    state.textContent = text;
  }
  function save() {
    var body = new FormData(form);
    pending = fetch(form.action || window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.saved) {
          dirty = false;
          say("saved", "Answer saved: " + data.selected.join(", ") + ". You may change it until you submit.");
          var cell = document.querySelector(".nav-cell[aria-current=step]");
          if (cell) cell.classList.add("answered");
        } else if (response.status === 409 && data.field === "quiz") {
          window.location.reload();  // the exam closed: the server shows the results
        } else {
          say("error", "Not saved: " + (data.message || "try again") + ".");
        }
      });
    }).catch(function () {
      say("error", "Not saved: the connection failed. Your pick is sent again when you leave this question.");
    }).then(function () { pending = null; });
    return pending;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name !== "selected") return;
    var count = picked().length;
    dirty = true;
    if (count !== required) {
      say("incomplete", "Choose " + required + " options to save this answer (" + count + " chosen).");
      return;
    }
    if (saveOnPick) {
      say("saving", "Saving…");
      save();
    } else {
      say("unsaved", "Picked " + picked().join(", ") + ": leaving this question saves it.");
    }
  });
  // Every way out is a submit button of this form (some outside it, with form="answer-form").
  form.addEventListener("submit", function (event) {
    var count = picked().length;
    leaving = true;
    var away = event.submitter && event.submitter.name;  // go or flag; the save button shows its own error
    if (!away) return;
    if (dirty && count > 0 && count !== required &&
        !window.confirm("Your pick (" + count + " of " + required + " options) is incomplete and will not be saved. Leave anyway?")) {
      event.preventDefault();
      leaving = false;
      return;
    }
    if (dirty && count > 0 && count !== required) {
      form.querySelectorAll("input[name=selected]:checked").forEach(function (i) { i.checked = false; });
    }
  });
  // Any other way off the page (the site's menu, closing the tab) with a pick not stored: the
  // browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving && picked().length > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // The countdown (quiz-timer.js) waits for this before it reloads at zero.
  window.quizAnswers = {
    leave: function () { leaving = true; },
    settle: function () {
      if (pending) return pending;
      if (dirty && picked().length === required) return save();
      return Promise.resolve();
    },
  };
})();
