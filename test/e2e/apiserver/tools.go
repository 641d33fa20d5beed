//go:build tools

// Package tools only pins the kube-apiserver command so `go mod tidy` keeps
// its whole dependency graph in go.mod/go.sum; build it with
// `go build k8s.io/kubernetes/cmd/kube-apiserver`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
