// Countdown of a timed exam. The server renders the seconds left (from the exam's deadline), so a
// reload or a second tab shows the same time; this only ticks between page loads. At zero the page
// first lets quiz-answers.js finish saving the pick, then reloads, and the server, which closed
// the exam at its deadline, shows the results with that pick counted.
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds-left"), 10);
  var start = performance.now();
  function format(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return (m ? m + " min " : "") + r + " s";
  }
  function tick() {
    var now = Math.max(0, left - Math.floor((performance.now() - start) / 1000));
    el.textContent = format(now);
    el.setAttribute("data-seconds-left", String(now));
    if (now === 0) {
      var settle = window.quizAnswers ? window.quizAnswers.settle() : Promise.resolve();
      var reload = function () {
        if (window.quizAnswers) window.quizAnswers.leave();  // the exam is over: nothing left to keep
        window.location.reload();
      };
      settle.then(reload, reload);
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
})();
