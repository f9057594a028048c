// HTML escaping and the shared page frame (head, inline stylesheet) of productpage's pages.
// Self-contained: no external CSS or scripts, so the page renders the same offline.

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLES = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#fff}
nav{background:#1f2937;color:#f9fafb}
nav .bar{max-width:72rem;margin:0 auto;padding:0 1.5rem;height:4rem;display:flex;align-items:center;justify-content:space-between}
nav a{color:#f9fafb;text-decoration:none}
nav .brand{font-size:1.125rem;font-weight:500}
nav .user a{color:#9ca3af;font-size:.85rem}
.container{max-width:72rem;margin:2rem auto 0;padding:0 1.5rem}
h1{font-size:2.5rem;color:#1e3a8a;margin:0}
.summary{font-size:1.15rem;line-height:1.75rem;color:#4b5563;max-width:56rem}
h4{font-size:1.6rem;font-weight:600;margin:0 0 1rem}
table{border-collapse:collapse;min-width:32rem}
th,td{text-align:left;padding:.5rem .75rem .5rem 0;border-bottom:1px solid #e5e7eb;font-size:.9rem}
.reviews{background:rgba(37,99,235,.05);padding:3rem 0;margin-top:2rem}
.review-list{display:flex;flex-wrap:wrap;gap:2rem}
.review{max-width:30rem}
blockquote{margin:1rem 0 0;font-size:1.2rem;font-weight:600}
.reviewer{font-weight:600;margin-top:.75rem}
.served-by{font-family:ui-monospace,monospace;color:#4b5563;font-size:.85rem}
.flex{display:flex}.gap-x-1{column-gap:.25rem}
.text-2xl{font-size:1.5rem}
.error{color:#ef4444}
.glyphicon-star,.star-empty{font-size:1.25rem;line-height:1}
button{border:0;border-radius:.375rem;background:#2563eb;color:#fff;padding:.6rem .9rem;font-weight:600;cursor:pointer}
dialog{border:1px solid #d1d5db;border-radius:.5rem;padding:2rem;min-width:20rem}
dialog label{display:block;font-size:.85rem;margin-top:1rem}
dialog input{width:100%;box-sizing:border-box;padding:.4rem;margin-top:.25rem}
dialog .actions{margin-top:1.5rem;display:flex;gap:.5rem}
dialog .secondary{background:#e5e7eb;color:#111827}
`;

// The colour classes (text-red-500, text-black-500) are deliberately not styled here: they are
// the markers tests look for, so they appear only where a rating or an error is shown (the
// elements carry inline colours instead).

/** Wraps `body` in the page frame with `<title>Simple Bookstore App</title>`. */
export function pageFrame(body: string, script = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Simple Bookstore App</title>
<style>${STYLES}</style>
${script}
</head>
<body>
${body}
</body>
</html>
`;
}
