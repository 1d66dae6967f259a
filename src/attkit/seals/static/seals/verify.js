// attkit seals: the verification page's camera. The page works without this file (upload and paste);
// with it, a camera reads the QR code live (BarcodeDetector) or takes a photo that is uploaded.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var verdict = document.querySelector("[data-verdict]");
    if (verdict) { verdict.focus(); }

    var section = document.getElementById("camera");
    if (!section || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
    var video = document.getElementById("camera-video");
    var status = document.getElementById("camera-status");
    var startButton = document.getElementById("camera-start");
    var photoButton = document.getElementById("camera-photo");
    var stopButton = document.getElementById("camera-stop");
    var pasteForm = document.getElementById("paste-form");
    var uploadForm = document.getElementById("upload-form");
    if (!video || !status || !startButton || !photoButton || !stopButton || !pasteForm || !uploadForm) { return; }
    var pasteField = pasteForm.querySelector("textarea");
    var fileInput = uploadForm.querySelector("input[type=file]");
    var stream = null;
    var detector = null;
    var timer = null;
    section.hidden = false;

    function say(key) { status.textContent = section.getAttribute("data-msg-" + key) || ""; }

    function stop() {
      if (timer) { clearTimeout(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
      video.hidden = true;
      photoButton.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }

    function makeDetector() {
      if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      }).catch(function () { return null; });
    }

    function scan() {
      if (!stream || !detector) { return; }
      detector.detect(video).then(function (codes) {
        for (var i = 0; i < codes.length; i++) {
          if (codes[i].rawValue) {
            say("found");
            pasteField.value = codes[i].rawValue;
            stop();
            pasteForm.submit();
            return;
          }
        }
        timer = setTimeout(scan, 250);
      }).catch(function () { timer = setTimeout(scan, 500); });
    }

    function send(blob) {
      say("sending");
      try {
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "camera.jpg", { type: "image/jpeg" }));
        fileInput.files = transfer.files;
        stop();
        uploadForm.submit();
      } catch (error) {
        // Browsers without a settable file list: post the photo and show the answer page.
        var data = new FormData(uploadForm);
        data.set(fileInput.name, blob, "camera.jpg");
        stop();
        fetch(uploadForm.action || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (html) { document.open(); document.write(html); document.close(); })
          .catch(function () { say("denied"); });
      }
    }

    function photo() {
      if (!stream || !video.videoWidth) { return; }
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { if (blob) { send(blob); } }, "image/jpeg", 0.92);
    }

    startButton.addEventListener("click", function () {
      say("starting");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          return video.play();
        })
        .then(makeDetector)
        .then(function (found) {
          detector = found;
          startButton.hidden = true;
          stopButton.hidden = false;
          photoButton.hidden = false;
          if (detector) { say("scanning"); scan(); } else { say("photo"); }
        })
        .catch(function () { stop(); say("denied"); });
    });
    photoButton.addEventListener("click", photo);
    stopButton.addEventListener("click", function () { stop(); status.textContent = ""; });
    window.addEventListener("pagehide", stop);
  });
})();
