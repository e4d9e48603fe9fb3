// "Report this passage": select words in an article and report them with the quote filled in.
// The "Report an error" link works without this script.
(function () {
  "use strict";
  var body = document.querySelector(".story-body");
  var link = document.querySelector("a.report-error");
  if (!body || !link) return;
  var form = link.getAttribute("href");
  var button = document.createElement("a");
  button.className = "report-selection";
  // A real link from the start: the form, which opens without a quote as well.
  button.href = form;
  button.textContent = "Report this passage";
  button.hidden = true;
  document.body.appendChild(button);

  function selectedText() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return "";
    var range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return "";
    return selection.toString().replace(/\s+/g, " ").trim().slice(0, 2000);
  }

  function update() {
    var text = selectedText();
    if (!text) { button.hidden = true; return; }
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    button.href = form + "?quote=" + encodeURIComponent(text);
    button.style.top = (window.scrollY + rect.bottom + 8) + "px";
    button.style.left = (window.scrollX + rect.left) + "px";
    button.hidden = false;
  }

  document.addEventListener("selectionchange", function () { window.requestAnimationFrame(update); });
})();
