// The learner's day rolls over at 4 a.m. in their own time zone: the first time "Due today" is
// opened with none stored, store the browser's (the settings page changes it later).
(function () {
  "use strict";
  var form = document.getElementById("zone-form");
  var zoneName = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!form || !zoneName) return;
  form.elements.time_zone.value = zoneName;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                       headers: { "Accept": "application/json" } })
    .then(function (response) { if (response.ok) document.documentElement.setAttribute("data-zone-saved", zoneName); });
})();
