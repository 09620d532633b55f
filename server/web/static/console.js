// The console's live feed: server-sent events from /console/events. New alarms appear at
// once with a sound and a flashing title; callbacks appear quietly (one soft tone).
(function () {
  "use strict";
  var root = document.getElementById("alerts");
  if (!root) { return; }
  var status = document.getElementById("live-status");
  var soundButton = document.getElementById("sound-toggle");
  var baseTitle = document.title;
  var flashText = root.getAttribute("data-flash");
  var flashTimer = null;
  var audio = null;
  var soundOn = window.localStorage.getItem("linli-sound") === "on";
  var known = {};
  var escalatedToMe = {};
  root.querySelectorAll("article.alert").forEach(function (card) { known[card.id] = true; });
  root.querySelectorAll("article.escalated-to-you").forEach(function (card) { escalatedToMe[card.id] = true; });

  function showSound() {
    soundButton.textContent = soundButton.getAttribute(soundOn ? "data-on" : "data-off");
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
  }
  function ensureAudio() {
    if (!audio && window.AudioContext) { audio = new window.AudioContext(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  soundButton.addEventListener("click", function () {
    soundOn = !soundOn;
    window.localStorage.setItem("linli-sound", soundOn ? "on" : "off");
    if (soundOn) { ensureAudio(); beep(880, 0.15, 0.2); }
    showSound();
  });
  document.addEventListener("click", function () { if (soundOn) { ensureAudio(); } }, { once: true });
  showSound();

  function beep(freq, seconds, volume) {
    if (!soundOn) { return; }
    ensureAudio();
    if (!audio) { return; }
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.value = volume;
    osc.connect(gain); gain.connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + seconds);
  }
  function alarmSound() {
    [0, 0.35, 0.7].forEach(function (delay) {
      window.setTimeout(function () { beep(988, 0.25, 0.3); }, delay * 1000);
    });
  }

  function waitingAlarms() {
    return root.querySelectorAll("article.help_call.state-received, article.help_call.state-escalated").length;
  }
  function startFlash() {
    if (flashTimer) { return; }
    var on = false;
    flashTimer = window.setInterval(function () {
      if (!waitingAlarms()) { stopFlash(); return; }
      on = !on;
      document.title = on ? flashText + " " + baseTitle : baseTitle;
    }, 800);
  }
  function stopFlash() {
    if (flashTimer) { window.clearInterval(flashTimer); flashTimer = null; }
    document.title = baseTitle;
  }

  function refreshEmpty() {
    root.querySelectorAll("section").forEach(function (section) {
      var empty = section.querySelector(".empty");
      if (empty) { empty.hidden = section.querySelectorAll("article.alert").length > 0; }
    });
  }
  function announce(kind) {
    if (kind === "help_call") { alarmSound(); startFlash(); } else { beep(523, 0.3, 0.15); }
  }
  function fromHtml(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  var source = new window.EventSource("/console/events");
  source.addEventListener("open", function () {
    status.textContent = status.getAttribute("data-connected");
    status.className = "live-status on";
  });
  source.addEventListener("error", function () {
    status.textContent = status.getAttribute("data-lost");
    status.className = "live-status lost";
  });
  source.addEventListener("snapshot", function (event) {
    var data = JSON.parse(event.data);
    root.innerHTML = data.html;
    var fresh = null;
    data.open.forEach(function (id) {
      if (!known[id]) { fresh = fresh || id; known[id] = true; }
    });
    if (fresh) { announce(fresh.indexOf("alert-help_call") === 0 ? "help_call" : "callback"); }
    refreshEmpty();
  });
  source.addEventListener("alert", function (event) {
    var data = JSON.parse(event.data);
    var existing = document.getElementById(data.id);
    if (!data.open) {
      if (existing) { existing.remove(); }
    } else if (existing) {
      existing.replaceWith(fromHtml(data.html));
    } else {
      var list = document.getElementById(data.kind === "help_call" ? "alarm-list" : "callback-list");
      list.insertBefore(fromHtml(data.html), list.firstChild);
      if (!known[data.id]) { known[data.id] = true; escalatedToMe[data.id] = data.escalated_to_me; announce(data.kind); }
    }
    // Escalation: an alarm newly passed on to this viewer sounds again, even if shown already.
    if (data.open && data.escalated_to_me && !escalatedToMe[data.id]) {
      escalatedToMe[data.id] = true;
      announce("help_call");
    }
    refreshEmpty();
  });
  source.addEventListener("signed_out", function () {
    source.close();
    window.location.assign("/login");
  });
})();
