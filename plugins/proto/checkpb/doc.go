// Package checkpb is the Go generated from plugins/proto/check.proto, the
// gRPC protocol of check plugins. Only plugins/grpc.go uses it directly:
// plugin authors and the host code against plugins.Check. Do not edit the
// .pb.go files; regenerate them with `go generate ./plugins`.
package checkpb
