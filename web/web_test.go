package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

func testSite(t *testing.T, live bool) (*echo.Echo, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		"templates/index.html": {Data: []byte(`<h1>{{.Title}}</h1>`)},
		"static/js/app.js":     {Data: []byte(`export const x = 1;`)},
		"static/css/app.css":   {Data: []byte(`body{}`)},
	}
	s, err := New(fsys, live)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := echo.New()
	e.GET("/", s.Page("index.html", func() any { return map[string]string{"Title": "<Scope>"} }))
	e.GET("/static/*", s.Static())
	return e, fsys
}

func get(e *echo.Echo, url string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestPageEscapes(t *testing.T) {
	e, _ := testSite(t, false)
	rec := get(e, "/", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "&lt;Scope&gt;") {
		t.Fatalf("GET / = %d %q, want 200 with the escaped title", rec.Code, rec.Body.String())
	}
}

func TestStaticContentTypes(t *testing.T) {
	e, _ := testSite(t, false)
	for _, tc := range []struct{ url, want string }{
		{"/static/js/app.js", "text/javascript"},
		{"/static/css/app.css", "text/css"},
	} {
		rec := get(e, tc.url, nil)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.want) {
			t.Errorf("GET %s = %d %q, want 200 %s", tc.url, rec.Code, rec.Header().Get("Content-Type"), tc.want)
		}
	}
}

func TestStaticETagRevalidates(t *testing.T) {
	e, _ := testSite(t, false)
	rec := get(e, "/static/js/app.js", nil)
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on an embedded static file")
	}
	rec = get(e, "/static/js/app.js", map[string]string{"If-None-Match": etag})
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET with If-None-Match = %d, want 304", rec.Code)
	}
}

func TestStaticMissing(t *testing.T) {
	e, _ := testSite(t, false)
	for _, url := range []string{"/static/nope.js", "/static/js", "/static/../templates/index.html"} {
		if rec := get(e, url, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", url, rec.Code)
		}
	}
}

func TestLiveRereads(t *testing.T) {
	e, fsys := testSite(t, true)
	fsys["templates/index.html"] = &fstest.MapFile{Data: []byte(`<p>changed</p>`)}
	fsys["static/js/app.js"] = &fstest.MapFile{Data: []byte(`export const x = 2;`)}
	if rec := get(e, "/", nil); !strings.Contains(rec.Body.String(), "changed") {
		t.Errorf("live GET / = %q, want the edited template", rec.Body.String())
	}
	rec := get(e, "/static/js/app.js", nil)
	if !strings.Contains(rec.Body.String(), "x = 2") || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("live GET app.js = %q (Cache-Control %q), want the edited file, no-store",
			rec.Body.String(), rec.Header().Get("Cache-Control"))
	}
}
