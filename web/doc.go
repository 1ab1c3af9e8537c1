// Package web renders the page templates and serves the static files of the browser app
// from an fs.FS: the tree embedded in the binary, or the working directory with -live so
// that edits show on reload.
//
// The fs.FS holds two folders: templates/ (html/template pages, index.html is the
// dashboard) and static/ (CSS, ES modules, images). Static files get their content type
// from their extension (.js is text/javascript, as ES modules require) and cache headers:
// embedded assets are revalidated by ETag, live assets are never cached.
package web
