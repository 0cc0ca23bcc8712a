// Signature on the phone: draw with a finger; on submit the drawing becomes the proof file.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var form = document.getElementById("confirm-form");
  if (!canvas || !form) { return; }
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var signed = false;
  ctx.lineWidth = 2;
  ctx.lineCap = "round";
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener("pointerdown", function (e) {
    drawing = true; signed = true;
    var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) { return; }
    var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke();
  });
  ["pointerup", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); signed = false;
  });
  form.addEventListener("submit", function (e) {
    var kind = form.querySelector("[name=proof_kind]");
    var file = form.querySelector("[name=proof_file]");
    if (!signed || !kind || kind.value !== "signature" || !file || file.files.length) { return; }
    e.preventDefault();
    canvas.toBlob(function (blob) {
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], "signature.png", { type: "image/png" }));
      file.files = transfer.files;
      form.submit();
    }, "image/png");
  });
})();
