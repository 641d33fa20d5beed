//go:build tools

// Package tools pins the etcd server command (go.etcd.io/etcd/server/v3 is
// itself a main package) so `go mod tidy` keeps its dependency graph.
package tools

import _ "go.etcd.io/etcd/server/v3"
