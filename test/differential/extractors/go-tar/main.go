// Lists each archive with Go's archive/tar and reports, per entry, what a
// straightforward extractor (filepath.Join under the target directory) would
// write: one JSON line per archive. Nothing is written to disk.
package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
)

type entry struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
	Linkname string `json:"linkname"`
	Target   string `json:"target"`
	Escapes  bool   `json:"escapes"`
}

type result struct {
	Archive string  `json:"archive"`
	Entries []entry `json:"entries"`
	Error   string  `json:"error,omitempty"`
}

func kind(t byte) string {
	switch t {
	case tar.TypeReg, tar.TypeRegA:
		return "file"
	case tar.TypeDir:
		return "dir"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return "device"
	}
	return "other:" + string([]byte{t})
}

func list(path string) result {
	r := result{Archive: path, Entries: []entry{}}
	f, err := os.Open(path)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return r
		}
		if err != nil {
			r.Error = err.Error()
			return r
		}
		n, err := io.Copy(io.Discard, tr)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		rel := filepath.Clean("/" + h.Name)[1:]
		naive := filepath.Clean(h.Name)
		e := entry{Name: h.Name, Type: kind(h.Typeflag), Size: n, Linkname: h.Linkname, Target: rel,
			Escapes: filepath.IsAbs(h.Name) || naive == ".." || strings.HasPrefix(naive, "../")}
		r.Entries = append(r.Entries, e)
	}
}

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, p := range os.Args[1:] {
		if err := out.Encode(list(p)); err != nil {
			os.Exit(2)
		}
	}
}
