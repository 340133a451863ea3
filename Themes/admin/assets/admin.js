// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function post(url, data) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(data) });
  }

  // "Select all" boxes in lists.
  document.querySelectorAll(".select-all").forEach(function (box) {
    box.addEventListener("change", function () {
      box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (b) { b.checked = box.checked; });
    });
  });

  // Ask before destructive buttons.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (e) { if (!window.confirm(button.dataset.confirm)) e.preventDefault(); });
  });

  // The editor: live preview rendered by the server, and autosave of drafts.
  var editor = document.getElementById("editor");
  if (editor) {
    var source = document.getElementById("source"), preview = document.getElementById("preview");
    var csrf = editor.querySelector("input[name=_csrf]").value;
    var format = function () { var f = editor.querySelector("input[name=format]:checked"); return f ? f.value : "markdown"; };
    var timer = null, dirty = false;
    var refresh = function () {
      post(editor.dataset.previewUrl, { _csrf: csrf, source: source.value, format: format() })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) preview.innerHTML = html; });
    };
    var changed = function () { dirty = true; clearTimeout(timer); timer = setTimeout(refresh, 300); };
    source.addEventListener("input", changed);
    editor.querySelectorAll("input[name=format]").forEach(function (r) { r.addEventListener("change", changed); });
    editor.addEventListener("submit", function () { dirty = false; });
    if (editor.dataset.postId) {
      setInterval(function () {
        if (!dirty) return;
        post(editor.dataset.autosaveUrl, { _csrf: csrf, title: document.getElementById("title").value, source: source.value, format: format(), excerpt: document.getElementById("excerpt").value })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (j) { if (j) { dirty = false; document.getElementById("autosave-status").textContent = "Draft autosaved at " + j.saved + "."; } });
      }, 30000);
    }
  }

  // Images in the editor: the file button and dropping files on the text upload them (with progress) and
  // insert their Markdown at the cursor. Without this script the media library's plain form does the same job.
  var uploader = document.getElementById("editor-upload");
  if (uploader && editor) {
    var text = document.getElementById("source"), bar = document.getElementById("upload-progress"), status = document.getElementById("upload-status");
    var send = function (files) {
      if (!files.length) return;
      var data = new FormData();
      data.append("_csrf", editor.querySelector("input[name=_csrf]").value);
      if (uploader.dataset.post) data.append("post", uploader.dataset.post);
      var alt = document.getElementById("editor-upload-alt");
      if (alt && alt.value) data.append("alt", alt.value);
      Array.prototype.forEach.call(files, function (f) { data.append("file", f, f.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", uploader.dataset.uploadUrl);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false; bar.value = 0; status.textContent = "Uploading…";
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = function () {
        bar.hidden = true;
        var reply = null;
        try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = null; }
        if (!reply) { status.textContent = "The upload failed (" + xhr.status + ")."; return; }
        var snippet = reply.added.map(function (m) { return m.markdown; }).join("\n\n");
        if (snippet) {
          var at = text.selectionStart || text.value.length;
          text.value = text.value.slice(0, at) + (at > 0 ? "\n\n" : "") + snippet + "\n\n" + text.value.slice(at);
          text.dispatchEvent(new Event("input"));
        }
        status.textContent = (reply.added.length ? "Added " + reply.added.length + " image(s). " : "") + reply.errors.join(" ");
      };
      xhr.onerror = function () { bar.hidden = true; status.textContent = "The upload failed: the connection was lost."; };
      xhr.send(data);
    };
    uploader.addEventListener("change", function () { send(uploader.files); uploader.value = ""; });
    text.addEventListener("dragover", function (e) { e.preventDefault(); text.classList.add("drop-target"); });
    text.addEventListener("dragleave", function () { text.classList.remove("drop-target"); });
    text.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault(); text.classList.remove("drop-target"); send(e.dataTransfer.files);
    });
  }

  // Appearance settings: the preview follows the fields as they change.
  var sample = document.getElementById("typography-sample");
  if (sample) {
    var apply = function () {
      var font = document.getElementById("font_family");
      var option = font.options[font.selectedIndex];
      sample.style.fontFamily = option ? option.dataset.css : "";
      sample.style.fontSize = document.getElementById("font_size").value + "px";
      sample.style.lineHeight = document.getElementById("line_height").value;
      sample.style.maxWidth = document.getElementById("content_width").value + "ch";
    };
    ["font_family", "font_size", "line_height", "content_width"].forEach(function (id) {
      document.getElementById(id).addEventListener("input", apply);
    });
    apply();
  }
})();
