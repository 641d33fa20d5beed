// Reads one YAML/JSON config from stdin with Viper (a real relaxed binder:
// case-insensitive keys, flat dotted keys read as nested paths) and prints,
// as JSON, what Viper returns for each key path named on the command line.
// Absent paths are printed as {"absent": true}, so the differential test can
// tell "not set" from null.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/viper"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(2)
	}
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(in)); err != nil {
		fmt.Fprintln(os.Stderr, "viper:", err)
		os.Exit(3)
	}
	out := map[string]any{}
	for _, path := range os.Args[1:] {
		if !v.IsSet(path) {
			out[path] = map[string]bool{"absent": true}
			continue
		}
		out[path] = map[string]any{"value": v.Get(path)}
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "encode:", err)
		os.Exit(4)
	}
}
