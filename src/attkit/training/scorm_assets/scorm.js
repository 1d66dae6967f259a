/* attkit course package: talks to the LMS through the SCORM 1.2 runtime API (window.API).
   Lessons report "completed" when opened; a quiz is graded here and reports its score and status. */
(function () {
  "use strict";

  function findApi(win) {
    var hops = 0;
    while (win && !win.API && win.parent && win.parent !== win && hops < 10) {
      win = win.parent;
      hops += 1;
    }
    return win && win.API ? win.API : null;
  }

  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  var open = false;

  function initialize() {
    if (api && !open) {
      open = String(api.LMSInitialize("")) === "true";
    }
  }

  function set(name, value) {
    if (api && open) {
      api.LMSSetValue(name, String(value));
    }
  }

  function finish() {
    if (api && open) {
      api.LMSCommit("");
      api.LMSFinish("");
      open = false;
    }
  }

  function answered(fieldset) {
    var type = fieldset.getAttribute("data-type");
    if (type === "matching") {
      var selects = fieldset.querySelectorAll("select");
      var right = 0;
      for (var i = 0; i < selects.length; i += 1) {
        if (selects[i].value === selects[i].getAttribute("data-answer")) {
          right += 1;
        }
      }
      return selects.length ? right / selects.length : 0;
    }
    var chosen = fieldset.querySelector("input:checked");
    return chosen && chosen.value === fieldset.getAttribute("data-answer") ? 1 : 0;
  }

  function grade(form) {
    var questions = form.querySelectorAll("fieldset.question");
    var total = 0;
    for (var i = 0; i < questions.length; i += 1) {
      var share = answered(questions[i]);
      total += share;
      var feedback = questions[i].querySelector(".feedback");
      var verdict = feedback.querySelector(".verdict");
      var right = share === 1;
      questions[i].className = "question " + (right ? "right" : "wrong");
      verdict.textContent = verdict.getAttribute(right ? "data-right" : "data-wrong");
      feedback.hidden = false;
    }
    var score = questions.length ? Math.round((total / questions.length) * 100) : 0;
    var mastery = parseInt(form.getAttribute("data-mastery"), 10) || 0;
    var passed = score >= mastery;
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", score);
    set("cmi.core.lesson_status", passed ? "passed" : "failed");
    if (api && open) {
      api.LMSCommit("");
    }
    var result = document.getElementById("result");
    result.querySelector(".score").textContent = score + " %";
    result.querySelector(".status").textContent = result.getAttribute(passed ? "data-passed" : "data-failed");
    result.hidden = false;
    result.scrollIntoView();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initialize();
    var kind = document.body.getAttribute("data-sco");
    if (kind === "lesson") {
      set("cmi.core.lesson_status", "completed");
      if (api && open) {
        api.LMSCommit("");
      }
    }
    var form = document.getElementById("quiz");
    if (form) {
      set("cmi.core.lesson_status", "incomplete");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        grade(form);
      });
    }
  });
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
