// tlog probe: the reference the TypeScript Merkle core is cross-checked
// against (golang.org/x/mod/sumdb/tlog and sumdb/note, the Go checksum
// database's own code). Reads a JSON request on stdin, answers JSON on stdout.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Leaves      []string   `json:"leaves"` // base64 record bytes
	Sizes       []int64    `json:"sizes"`
	Inclusion   [][2]int64 `json:"inclusion"`   // [index, size]
	Consistency [][2]int64 `json:"consistency"` // [from, to]
	Vkey        string     `json:"vkey"`
	Note        string     `json:"note"`
}

type response struct {
	Roots       []string   `json:"roots"`
	Inclusion   [][]string `json:"inclusion"`
	Consistency [][]string `json:"consistency"`
	NoteOK      bool       `json:"note_ok"`
	NoteText    string     `json:"note_text"`
	NoteError   string     `json:"note_error"`
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, l := range req.Leaves {
		data, err := base64.StdEncoding.DecodeString(l)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		hs, err := tlog.StoredHashes(int64(i), data, hr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		stored = append(stored, hs...)
	}
	var res response
	for _, n := range req.Sizes {
		h, err := tlog.TreeHash(n, hr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		res.Roots = append(res.Roots, b64(h))
	}
	for _, q := range req.Inclusion {
		p, err := tlog.ProveRecord(q[1], q[0], hr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var s []string
		for _, h := range p {
			s = append(s, b64(h))
		}
		res.Inclusion = append(res.Inclusion, s)
	}
	for _, q := range req.Consistency {
		p, err := tlog.ProveTree(q[1], q[0], hr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var s []string
		for _, h := range p {
			s = append(s, b64(h))
		}
		res.Consistency = append(res.Consistency, s)
	}
	if req.Vkey != "" {
		v, err := note.NewVerifier(req.Vkey)
		if err != nil {
			res.NoteError = err.Error()
		} else if n, err := note.Open([]byte(req.Note), note.VerifierList(v)); err != nil {
			res.NoteError = err.Error()
		} else {
			res.NoteOK = true
			res.NoteText = n.Text
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(2)
	}
}
