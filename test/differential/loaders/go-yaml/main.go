// Reads a JSON array of config texts (os.Args[1]) and prints one JSON line
// per config: the reading of gopkg.in/yaml.v3 and of gopkg.in/yaml.v2 (both
// into interface{}, as Viper and most Go apps do), in the canonical form of
// canonical.ts (tagged numbers, map keys as strings, times tagged).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml2 "gopkg.in/yaml.v2"
	yaml3 "gopkg.in/yaml.v3"
)

func num(v interface{}) map[string]interface{} {
	switch x := v.(type) {
	case int:
		return map[string]interface{}{"#n": strconv.FormatInt(int64(x), 10)}
	case int64:
		return map[string]interface{}{"#n": strconv.FormatInt(x, 10)}
	case uint64:
		return map[string]interface{}{"#n": strconv.FormatUint(x, 10)}
	case *big.Int:
		return map[string]interface{}{"#n": x.String()}
	case float64:
		if math.IsNaN(x) {
			return map[string]interface{}{"#n": "NaN"}
		}
		if math.IsInf(x, 1) {
			return map[string]interface{}{"#n": "Infinity"}
		}
		if math.IsInf(x, -1) {
			return map[string]interface{}{"#n": "-Infinity"}
		}
		if x == math.Trunc(x) {
			b, _ := new(big.Float).SetFloat64(x).Int(nil)
			return map[string]interface{}{"#n": b.String()}
		}
		return map[string]interface{}{"#f": strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return nil
}

func key(k interface{}) string {
	switch x := k.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	}
	if n := num(k); n != nil {
		if s, ok := n["#n"]; ok {
			return s.(string)
		}
		return n["#f"].(string)
	}
	return fmt.Sprintf("#key:%T:%v", k, k)
}

func canon(v interface{}) interface{} {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = canon(e)
		}
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = canon(e)
		}
		return map[string]interface{}{"#m": out}
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		keys := make([]string, 0)
		for k, e := range x {
			ck := key(k)
			if _, dup := out[ck]; dup {
				return map[string]interface{}{"#collision": ck}
			}
			out[ck] = canon(e)
			keys = append(keys, ck)
		}
		sort.Strings(keys)
		return map[string]interface{}{"#m": out}
	case time.Time:
		return map[string]interface{}{"#date": x.Format(time.RFC3339Nano)}
	case []byte:
		return map[string]interface{}{"#bytes": fmt.Sprintf("%x", x)}
	}
	if n := num(v); n != nil {
		return n
	}
	return map[string]interface{}{"#other": fmt.Sprintf("%T", v)}
}

func result(err error, v interface{}) map[string]interface{} {
	if err != nil {
		return map[string]interface{}{"ok": false, "e": strings.SplitN(err.Error(), "\n", 2)[0]}
	}
	return map[string]interface{}{"ok": true, "v": canon(v)}
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var texts []string
	if err := json.Unmarshal(data, &texts); err != nil {
		panic(err)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	names, _ := json.Marshal([]string{"go yaml.v3", "go yaml.v2"})
	w.Write(append(names, '\n'))
	for _, t := range texts {
		var v3, v2 interface{}
		e3 := safe(func() error { return yaml3.Unmarshal([]byte(t), &v3) })
		e2 := safe(func() error { return yaml2.Unmarshal([]byte(t), &v2) })
		line, _ := json.Marshal([]interface{}{result(e3, v3), result(e2, v2)})
		w.Write(append(line, '\n'))
	}
}

// safe turns a panic inside a decoder into an error (a reading like any other).
func safe(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
