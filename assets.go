package main

import (
	"embed"
	"io/fs"
)

// The browser app and the data travel inside the binary: a classroom is often offline.
//
//go:embed static templates
var webFiles embed.FS

//go:embed samples
var sampleFiles embed.FS

// assets returns the embedded static/ and templates/ trees.
func assets() fs.FS { return webFiles }

// samples returns the embedded samples/ tree (samples/mnist holds the IDX files).
func samples() fs.FS { return sampleFiles }
