package server

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"convscope/figures"
)

// figureDigits is how many training digits the response figures show: the lesson shows
// the first five.
const figureDigits = 5

// getFigure serves GET /api/figures/{name}.{png|svg}, drawn from the latest published
// model. One figure is drawn at a time: they are for slides, and drawing competes with
// training for the CPU. The fixed figures are drawn once (fixedFigures).
func (s *Server) getFigure(c echo.Context) error {
	file := c.Param("file")
	ext := path.Ext(file)
	name, format := strings.TrimSuffix(file, ext), strings.TrimPrefix(ext, ".")
	if format != "png" && format != "svg" {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("figure format %q: want png or svg", format))
	}
	if b, ok := s.fixedFigure(file); ok {
		return sendFigure(c, b, name, format, s.session.Progress().Step)
	}
	select {
	case s.figureSem <- struct{}{}:
		defer func() { <-s.figureSem }()
	case <-c.Request().Context().Done():
		return echo.NewHTTPError(http.StatusServiceUnavailable, "request cancelled while waiting for another figure")
	}
	if b, ok := s.fixedFigure(file); ok { // drawn while this request waited
		return sendFigure(c, b, name, format, s.session.Progress().Step)
	}
	pub := s.session.current()
	in := figures.Input{}
	if cw := pub.m.ConvWeights(); len(cw) > 0 && cw[0].In == 1 {
		k := cw[0].K
		for o := range cw[0].Out {
			in.Learned = append(in.Learned, cw[0].W[o*k*k:(o+1)*k*k])
		}
		in.K = k
	}
	train := s.opts.Train
	for i := range min(figureDigits, train.N) {
		in.Digits = append(in.Digits, train.Image(i))
		in.Labels = append(in.Labels, int(train.Labels[i]))
	}
	b, err := figures.Render(name, format, in)
	switch {
	case errors.Is(err, figures.ErrUnknownFigure):
		return echo.NewHTTPError(http.StatusNotFound,
			fmt.Sprintf("no figure named %q: try %s", name, strings.Join(figures.Names(), ", ")))
	case errors.Is(err, figures.ErrUnknownFormat):
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	case errors.Is(err, figures.ErrNoData):
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	case err != nil:
		return fmt.Errorf("render figure %s: %w", file, err)
	}
	if fixedFigures[name] {
		s.figureMu.Lock()
		s.figureCache[file] = b
		s.figureMu.Unlock()
	}
	return sendFigure(c, b, name, format, pub.p.Step)
}

// fixedFigures are the figures that do not change during a run: the lesson's kernels on
// the first training digits and the Leung–Malik bank. Each is drawn once and then served
// from memory, because every viewer that opens the edge view asks for the lesson's
// picture, and a class opening it at once would otherwise queue for the one drawing slot.
var fixedFigures = map[string]bool{"lesson-edges": true, "lm-bank": true}

// fixedFigure returns a fixed figure drawn before, by file name ("lm-bank.png").
func (s *Server) fixedFigure(file string) ([]byte, bool) {
	s.figureMu.Lock()
	defer s.figureMu.Unlock()
	b, ok := s.figureCache[file]
	return b, ok
}

func sendFigure(c echo.Context, b []byte, name, format string, step int64) error {
	ct := "image/png"
	if format == "svg" {
		ct = "image/svg+xml"
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store") // learned filters change as training goes
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", fmt.Sprintf("convscope-%s-step%d.%s", name, step, format)))
	return c.Blob(http.StatusOK, ct, b)
}
