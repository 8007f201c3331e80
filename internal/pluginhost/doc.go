// Package pluginhost runs orgbaseline's check plugins: it verifies each
// binary against the sha256 pinned in baseline.yaml before launching
// anything and runs a private copy of exactly the bytes it hashed
// (binary.go, sandbox.go), launches every plugin once (hashicorp/go-plugin
// over gRPC, AutoMTLS, no host environment) contained as far as the
// platform allows (contain_linux.go: a non-dumpable host, an unprivileged
// user when root, no_new_privs, death with the host, and Landlock where the
// kernel has it, landlock_linux.go; see the README's plugin threat model),
// refuses a plugin that declares an IAM action its baseline entry does not
// approve, or a write action its entry does not allow, before it runs
// anywhere (actions.go), and runs it in each account with credentials of a
// session of its own (credentials.go), limited by an inline session policy
// to the IAM actions it declared. A plugin that crashes, hangs past its
// timeout or answers garbage yields an ERROR finding for that plugin and
// account; the process is restarted for the next call and the run goes on.
//
// What a plugin returns and logs is bounded before the host holds it
// (limits.go: message size, findings per account, evidence entries, field
// length, log lines per second and per line; wirelimit.go applies the
// finding caps while decoding), stripped of the credentials the host
// issued to it (redact.go), and its log lines have their control
// characters escaped (report.Clean).
//
// pluginhost may import baseline, plugins (and its generated checkpb),
// internal/report (for Clean), go-plugin, grpc, protobuf, hclog, zerolog,
// golang.org/x/sys/unix (Linux only) and the standard library. It must not
// import internal/cli or internal/orgsim (its tests use orgsim and orgwalk).
package pluginhost
