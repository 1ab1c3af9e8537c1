package server

import (
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// getFigure serves GET /api/figures/{name}.{png|svg}.
func (s *Server) getFigure(c echo.Context) error {
	file := c.Param("file")
	ext := path.Ext(file)
	name := strings.TrimSuffix(file, ext)
	if ext != ".png" && ext != ".svg" {
		return echo.NewHTTPError(http.StatusBadRequest, "figure format "+ext+": want .png or .svg")
	}
	return echo.NewHTTPError(http.StatusNotFound, "no figure named "+name)
}
