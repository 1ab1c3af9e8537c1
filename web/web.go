package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Site serves the pages and static files of one fs.FS.
type Site struct {
	fsys fs.FS
	live bool

	mu    sync.Mutex
	tmpl  *template.Template // parsed once unless live
	etags map[string]string  // static path → ETag, filled lazily unless live
}

// New returns a Site over fsys, which must hold templates/ and static/. With live set,
// templates are parsed again for every request and nothing is cached: use it with
// os.DirFS of the repository while editing the app. New parses the templates once to
// report errors early.
func New(fsys fs.FS, live bool) (*Site, error) {
	s := &Site{fsys: fsys, live: live, etags: map[string]string{}}
	t, err := s.parse()
	if err != nil {
		return nil, err
	}
	s.tmpl = t
	return s, nil
}

func (s *Site) parse() (*template.Template, error) {
	t, err := template.New("").ParseFS(s.fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return t, nil
}

func (s *Site) templates() (*template.Template, error) {
	if s.live {
		return s.parse()
	}
	return s.tmpl, nil
}

// Page returns a handler that renders the template name (e.g. "index.html") with the data
// returned by data, called once per request.
func (s *Site) Page(name string, data func() any) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := s.templates()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data()); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	}
}

// Static returns a handler for GET /static/*: the file static/<rest> of the Site's fs.FS.
// Directories and missing files are 404.
func (s *Site) Static() echo.HandlerFunc {
	return func(c echo.Context) error {
		rest := c.Param("*")
		name := path.Clean("static/" + rest)
		if !strings.HasPrefix(name, "static/") || !fs.ValidPath(name) {
			return echo.NewHTTPError(http.StatusNotFound, "no such file")
		}
		if st, err := fs.Stat(s.fsys, name); err == nil && st.IsDir() {
			return echo.NewHTTPError(http.StatusNotFound, "no such file: /"+name)
		}
		data, err := fs.ReadFile(s.fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			return echo.NewHTTPError(http.StatusNotFound, "no such file: /"+name)
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		h := c.Response().Header()
		h.Set("Content-Type", ContentType(name))
		h.Set("X-Content-Type-Options", "nosniff")
		if s.live {
			h.Set("Cache-Control", "no-store")
			return c.Blob(http.StatusOK, ContentType(name), data)
		}
		etag := s.etag(name, data)
		h.Set("ETag", etag)
		// Revalidate on every load: the app has no build step to fingerprint file names,
		// and a class must see a new version after the teacher restarts the server.
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(data))
		return nil
	}
}

func (s *Site) etag(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.etags[name]; ok {
		return e
	}
	sum := sha256.Sum256(data)
	e := `"` + hex.EncodeToString(sum[:8]) + `"`
	s.etags[name] = e
	return e
}

// ContentType returns the content type served for a file name: text/javascript for .js
// and .mjs (ES modules need a JavaScript type), the usual types for the web's formats,
// application/octet-stream when unknown.
func ContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".woff2":
		return "font/woff2"
	case ".ico":
		return "image/x-icon"
	case ".txt", ".md":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
