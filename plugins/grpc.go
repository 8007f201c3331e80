package plugins

//go:generate protoc -I proto --go_out=proto/checkpb --go_opt=paths=source_relative --go-grpc_out=proto/checkpb --go-grpc_opt=paths=source_relative proto/check.proto

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orgbaseline/orgbaseline/plugins/proto/checkpb"
)

// GRPCCheckPlugin is the go-plugin plugin of a Check, over gRPC only (it
// has no net/rpc side). On the plugin side Impl is the check to serve; on
// the host side Impl is unused and Dispense(PluginName) returns a value
// that implements Check by calling the plugin.
type GRPCCheckPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Check
}

var _ plugin.GRPCPlugin = (*GRPCCheckPlugin)(nil)

// GRPCServer registers the check's gRPC service (plugin side).
func (p *GRPCCheckPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("plugins: GRPCCheckPlugin has no Impl to serve")
	}
	checkpb.RegisterCheckServer(s, &checkServer{impl: p.Impl})
	return nil
}

// GRPCClient returns the host side: a Check whose methods call the plugin.
func (p *GRPCCheckPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &checkClient{rpc: checkpb.NewCheckClient(c)}, nil
}

// ErrInvalidResponse is matched (errors.Is) by the error the host side
// returns when a plugin's answer breaks the contract, such as a status or
// severity outside the enumeration. The host reports it like any other
// failure of the plugin: an ERROR finding for that account.
var ErrInvalidResponse = errors.New("plugins: invalid response from plugin")

// invalidResponse is an ErrInvalidResponse with its own message, so the
// message names the bad value without a generic prefix.
type invalidResponse struct{ msg string }

func (e *invalidResponse) Error() string        { return e.msg }
func (e *invalidResponse) Is(target error) bool { return target == ErrInvalidResponse }

func invalidf(format string, args ...any) error {
	return &invalidResponse{msg: fmt.Sprintf(format, args...)}
}

// PanicError is the error the host side returns when the plugin's Check
// panicked during a call. The plugin recovered and keeps serving; Stack is
// the panicking goroutine's stack in the plugin, for the host's log. A
// panic in a goroutine the check started itself is not recovered: it ends
// the plugin process, and the host sees the connection fail.
type PanicError struct {
	Method string // "Describe" or "Run"
	Value  string // the panic value, formatted with %v
	Stack  string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("plugin panicked in %s: %s", e.Method, e.Value)
}

// ValidStatus reports whether s is one of the four statuses.
func ValidStatus(s Status) bool {
	switch s {
	case StatusPass, StatusFail, StatusError, StatusSkip:
		return true
	}
	return false
}

// ValidSeverity reports whether s is one of the five severities ("" is not
// one; a finding may still leave its Severity empty).
func ValidSeverity(s Severity) bool {
	switch s {
	case SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
		return true
	}
	return false
}

const (
	wantStatuses   = "PASS, FAIL, ERROR or SKIP"
	wantSeverities = "info, low, medium, high or critical"
)

// validateDescribe checks the enumerations of a plugin's DescribeResponse.
func validateDescribe(d *DescribeResponse) error {
	if !ValidSeverity(d.DefaultSeverity) {
		return invalidf("plugin returned default severity %q for check %s; want %s", d.DefaultSeverity, checkName(d.ID), wantSeverities)
	}
	return nil
}

// validateFinding checks the enumerations of one finding.
func validateFinding(f *Finding) error {
	if !ValidStatus(f.Status) {
		return invalidf("plugin returned status %q for check %s; want %s", f.Status, checkName(f.Check), wantStatuses)
	}
	if f.Severity != "" && !ValidSeverity(f.Severity) {
		return invalidf("plugin returned severity %q for check %s; want %s, or none for the check's default", f.Severity, checkName(f.Check), wantSeverities)
	}
	return nil
}

func checkName(id string) string {
	if id == "" {
		return "(no id)"
	}
	return id
}

// ---- plugin side ----

// checkServer serves a Go Check as the gRPC service.
type checkServer struct {
	checkpb.UnimplementedCheckServer
	impl Check
}

func (s *checkServer) Describe(ctx context.Context, _ *checkpb.DescribeRequest) (_ *checkpb.DescribeResponse, err error) {
	defer recoverPanic("Describe", &err)
	out, err := s.impl.Describe(ctx, &DescribeRequest{})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if out == nil {
		return nil, status.Error(codes.Internal, "Describe returned neither a response nor an error")
	}
	return describeToProto(out), nil
}

func (s *checkServer) Run(ctx context.Context, req *checkpb.RunRequest) (_ *checkpb.RunResponse, err error) {
	defer recoverPanic("Run", &err)
	out, err := s.impl.Run(ctx, runRequestFromProto(req))
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if out == nil {
		return nil, status.Error(codes.Internal, "Run returned neither a response nor an error")
	}
	return runResponseToProto(out), nil
}

// maxStack bounds the stack sent with a panic: enough to find the bug,
// small next to gRPC's message limit.
const maxStack = 16 << 10

// recoverPanic turns a panic in the check into the call's error, so one
// bad input does not end the plugin process and the host learns why. It
// must be deferred directly.
func recoverPanic(method string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	stack := debug.Stack()
	if len(stack) > maxStack {
		stack = stack[:maxStack]
	}
	info := &checkpb.PanicInfo{Method: method, Value: fmt.Sprint(v), Stack: string(stack)}
	st := status.New(codes.Internal, fmt.Sprintf("plugin panicked in %s: %v", method, v))
	if withInfo, derr := st.WithDetails(info); derr == nil {
		st = withInfo
	}
	*err = st.Err()
}

// toStatus carries a check's error to the host: a gRPC status the check
// made itself as is, a cancellation as one (the host's context ended),
// anything else as Unknown with the check's message.
func toStatus(ctx context.Context, err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Unknown, err.Error())
}

// ---- host side ----

// checkClient is a Check that calls a plugin over gRPC.
type checkClient struct {
	rpc checkpb.CheckClient
}

var _ Check = (*checkClient)(nil)

func (c *checkClient) Describe(ctx context.Context, _ *DescribeRequest) (*DescribeResponse, error) {
	resp, err := c.rpc.Describe(ctx, &checkpb.DescribeRequest{})
	if err != nil {
		return nil, fromStatus(ctx, "Describe", err)
	}
	out := describeFromProto(resp)
	if err := validateDescribe(out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *checkClient) Run(ctx context.Context, req *RunRequest) (*RunResponse, error) {
	if req == nil {
		return nil, errors.New("plugins: Run needs a request")
	}
	resp, err := c.rpc.Run(ctx, runRequestToProto(req))
	if err != nil {
		return nil, fromStatus(ctx, "Run", err)
	}
	out := runResponseFromProto(resp)
	for i := range out.Findings {
		if err := validateFinding(&out.Findings[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fromStatus turns a failed call into a Go error: a panic in the plugin
// into a *PanicError, the end of the caller's context into an error
// wrapping ctx.Err(), an error the check returned into an error with the
// check's own message, and anything else (the process died, the protocol
// broke) into an error naming the method and the gRPC code.
func fromStatus(ctx context.Context, method string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("plugin %s: %w", method, err)
	}
	for _, d := range st.Details() {
		if p, ok := d.(*checkpb.PanicInfo); ok {
			return &PanicError{Method: p.GetMethod(), Value: p.GetValue(), Stack: p.GetStack()}
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil && (st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded) {
		return fmt.Errorf("plugin %s: %w", method, ctxErr)
	}
	if st.Code() == codes.Unknown {
		return errors.New(st.Message())
	}
	return fmt.Errorf("plugin %s: %s (gRPC %s)", method, st.Message(), st.Code())
}

// ---- conversions ----

// Times travel as Unix nanoseconds with 0 for the zero time, which covers
// the years 1678 to 2262.
func timeToProto(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func timeFromProto(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func describeToProto(d *DescribeResponse) *checkpb.DescribeResponse {
	return &checkpb.DescribeResponse{
		Id:              d.ID,
		Version:         d.Version,
		Title:           d.Title,
		Description:     d.Description,
		DefaultSeverity: string(d.DefaultSeverity),
		Compliance:      d.Compliance,
		Actions:         d.Actions,
		ConfigSchema:    d.ConfigSchema,
	}
}

func describeFromProto(d *checkpb.DescribeResponse) *DescribeResponse {
	return &DescribeResponse{
		ID:              d.GetId(),
		Version:         d.GetVersion(),
		Title:           d.GetTitle(),
		Description:     d.GetDescription(),
		DefaultSeverity: Severity(d.GetDefaultSeverity()),
		Compliance:      d.GetCompliance(),
		Actions:         d.GetActions(),
		ConfigSchema:    d.GetConfigSchema(),
	}
}

func runRequestToProto(r *RunRequest) *checkpb.RunRequest {
	return &checkpb.RunRequest{
		Account: &checkpb.Account{
			Id:     r.Account.ID,
			Name:   r.Account.Name,
			OuPath: r.Account.OUPath,
			Tags:   r.Account.Tags,
		},
		HomeRegion: r.HomeRegion,
		Regions:    r.Regions,
		Config:     r.Config,
		Endpoint:   r.Endpoint,
		Credentials: &checkpb.Credentials{
			AccessKeyId:     r.Credentials.AccessKeyID,
			SecretAccessKey: r.Credentials.SecretAccessKey,
			SessionToken:    r.Credentials.SessionToken,
			ExpiresUnixNano: timeToProto(r.Credentials.Expires),
		},
		NowUnixNano: timeToProto(r.Now),
	}
}

func runRequestFromProto(r *checkpb.RunRequest) *RunRequest {
	a, c := r.GetAccount(), r.GetCredentials()
	return &RunRequest{
		Account: Account{
			ID:     a.GetId(),
			Name:   a.GetName(),
			OUPath: a.GetOuPath(),
			Tags:   a.GetTags(),
		},
		HomeRegion: r.GetHomeRegion(),
		Regions:    r.GetRegions(),
		Config:     r.GetConfig(),
		Endpoint:   r.GetEndpoint(),
		Credentials: Credentials{
			AccessKeyID:     c.GetAccessKeyId(),
			SecretAccessKey: c.GetSecretAccessKey(),
			SessionToken:    c.GetSessionToken(),
			Expires:         timeFromProto(c.GetExpiresUnixNano()),
		},
		Now: timeFromProto(r.GetNowUnixNano()),
	}
}

func runResponseToProto(r *RunResponse) *checkpb.RunResponse {
	out := &checkpb.RunResponse{Findings: make([]*checkpb.Finding, len(r.Findings))}
	for i, f := range r.Findings {
		out.Findings[i] = &checkpb.Finding{
			Check:       f.Check,
			Status:      string(f.Status),
			Severity:    string(f.Severity),
			Region:      f.Region,
			Resource:    f.Resource,
			Title:       f.Title,
			Message:     f.Message,
			Remediation: f.Remediation,
			Compliance:  f.Compliance,
			Evidence:    f.Evidence,
		}
	}
	return out
}

func runResponseFromProto(r *checkpb.RunResponse) *RunResponse {
	fs := r.GetFindings()
	out := &RunResponse{Findings: make([]Finding, len(fs))}
	for i, f := range fs {
		out.Findings[i] = Finding{
			Check:       f.GetCheck(),
			Status:      Status(f.GetStatus()),
			Severity:    Severity(f.GetSeverity()),
			Region:      f.GetRegion(),
			Resource:    f.GetResource(),
			Title:       f.GetTitle(),
			Message:     f.GetMessage(),
			Remediation: f.GetRemediation(),
			Compliance:  f.GetCompliance(),
			Evidence:    f.GetEvidence(),
		}
	}
	return out
}
