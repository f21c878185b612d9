// Starts Swagger UI on /schema (a file, not an inline script: the Content-Security-Policy allows only files
// from this server). The OpenAPI document's address comes from the page. Swagger UI has no Indonesian
// translation; the labels a reader sees most are put into Bahasa Indonesia as they appear.
var LABELS = {
  "Servers": "Server",
  "Authorize": "Otorisasi",
  "Available authorizations": "Otorisasi yang tersedia",
  "Close": "Tutup",
  "Logout": "Keluar",
  "Value:": "Nilai:",
  "Try it out": "Coba",
  "Cancel": "Batal",
  "Execute": "Jalankan",
  "Clear": "Bersihkan",
  "Parameters": "Parameter",
  "No parameters": "Tanpa parameter",
  "Name": "Nama",
  "Description": "Keterangan",
  "Request body": "Isi permintaan",
  "required": "wajib",
  "Responses": "Jawaban",
  "Response": "Jawaban",
  "Code": "Kode",
  "Links": "Tautan",
  "No links": "Tanpa tautan",
  "Example Value": "Contoh nilai",
  "Example": "Contoh",
  "Schema": "Skema",
  "Schemas": "Skema",
  "Media type": "Jenis media",
  "Server response": "Jawaban server",
  "Response body": "Isi jawaban",
  "Response headers": "Header jawaban",
  "Request URL": "URL permintaan",
  "Details": "Rincian",
  "Download": "Unduh",
  "Loading...": "Memuat…",
};

function translateText(node) {
  var text = node.nodeValue.trim();
  if (text && Object.prototype.hasOwnProperty.call(LABELS, text)) {
    node.nodeValue = node.nodeValue.replace(text, LABELS[text]);
  }
}

function translateTree(root) {
  if (root.nodeType === Node.TEXT_NODE) return translateText(root);
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) translateText(node);
}

window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-container");
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "characterData") translateText(change.target);
      change.addedNodes.forEach(translateTree);
    });
  }).observe(container, { childList: true, subtree: true, characterData: true });
  window.ui = SwaggerUIBundle({
    url: container.dataset.openapiUrl,
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
