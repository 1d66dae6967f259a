/* attkit course package: talks to the LMS through the SCORM 1.2 runtime API (window.API).
   Lessons report "completed" when opened; a quiz is graded here and reports its score and status.
   A status already reached is never lowered (reopening a passed quiz leaves it passed until it is
   checked again), nothing is reported in the LMS's review mode, and the session time is reported
   on exit. */
(function () {
  "use strict";

  function apiOf(win) {
    try {
      return win && win.API ? win.API : null;
    } catch (e) {
      return null; // a frame of another origin
    }
  }

  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops += 1) {
      var found = apiOf(win);
      if (found) {
        return found;
      }
      var parent = null;
      try {
        parent = win.parent;
      } catch (e) {
        parent = null;
      }
      if (!parent || parent === win) {
        return null;
      }
      win = parent;
    }
    return null;
  }

  function opener() {
    try {
      return window.opener || (window.top && window.top.opener) || null;
    } catch (e) {
      return null;
    }
  }

  var api = findApi(window) || findApi(opener());
  var open = false;
  var started = new Date().getTime();
  var reporting = true;

  function initialize() {
    if (api && !open) {
      open = String(api.LMSInitialize("")) === "true";
    }
  }

  function get(name) {
    return api && open ? String(api.LMSGetValue(name) || "") : "";
  }

  function set(name, value) {
    if (api && open && reporting) {
      api.LMSSetValue(name, String(value));
    }
  }

  function commit() {
    if (api && open) {
      api.LMSCommit("");
    }
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
  function timespan(milliseconds) {
    var centiseconds = Math.round(milliseconds / 10);
    var hours = Math.min(Math.floor(centiseconds / 360000), 9999);
    var minutes = Math.floor(centiseconds / 6000) % 60;
    var seconds = Math.floor(centiseconds / 100) % 60;
    return pad(hours) + ":" + pad(minutes) + ":" + pad(seconds) + "." + pad(centiseconds % 100);
  }

  function finish() {
    if (api && open) {
      set("cmi.core.session_time", timespan(new Date().getTime() - started));
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

  // The LMS's mastery score (from the manifest's adlcp:masteryscore) governs; the page's is the fallback.
  function masteryScore(form) {
    var fromLms = parseFloat(get("cmi.student_data.mastery_score"));
    if (!isNaN(fromLms)) {
      return fromLms;
    }
    return parseInt(form.getAttribute("data-mastery"), 10) || 0;
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
    var passed = score >= masteryScore(form);
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", score);
    set("cmi.core.lesson_status", passed ? "passed" : "failed");
    commit();
    var result = document.getElementById("result");
    result.querySelector(".score").textContent = score + " %";
    result.querySelector(".status").textContent = result.getAttribute(passed ? "data-passed" : "data-failed");
    result.hidden = false;
    result.scrollIntoView();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initialize();
    // In review mode the LMS shows the SCO again without recording anything.
    reporting = get("cmi.core.lesson_mode") !== "review";
    var status = get("cmi.core.lesson_status");
    var kind = document.body.getAttribute("data-sco");
    if (kind === "lesson" && status !== "completed" && status !== "passed") {
      set("cmi.core.lesson_status", "completed");
      commit();
    }
    var form = document.getElementById("quiz");
    if (form) {
      if (status === "" || status === "not attempted" || status === "browsed") {
        set("cmi.core.lesson_status", "incomplete");
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        grade(form);
      });
    }
  });
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
