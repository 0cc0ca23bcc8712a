// Live character and SMS-segment count under a bulletin's text (70 characters a segment).
(function () {
  "use strict";
  var text = document.querySelector("textarea[data-sms-count]");
  var out = document.querySelector("[data-testid=sms-count]");
  if (!text || !out) return;
  var segment = parseInt(out.getAttribute("data-segment"), 10) || 70;
  var template = out.getAttribute("data-template");
  function update() {
    var chars = Array.from(text.value.trim().replace(/\s+/g, " ")).length;
    var segments = chars ? Math.ceil(chars / segment) : 0;
    out.textContent = template.replace("CHARS", chars).replace("SEGMENTS", segments);
    out.classList.toggle("bad", segments > 5);
  }
  text.addEventListener("input", update);
  update();
})();
