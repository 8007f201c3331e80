// Package iampolicy parses, validates, normalises, measures and evaluates AWS
// IAM policy documents.
//
// It serves two users inside orgbaseline:
//
//   - the AWS emulator (internal/orgsim), which authorises every emulated API
//     call by evaluating service control policies, identity policies of roles
//     and users, session policies and role trust policies;
//   - the SCP lockout guard, which must name the exact policy statement that
//     would deny a call before an SCP is attached.
//
// Fidelity to real AWS IAM semantics matters more than breadth. Policies are
// parsed and compiled once (Parse, MustParse) and then evaluated many times
// (Policy.Evaluate, EvaluateSet); evaluation compiles nothing, builds no
// regular expressions and, on the common paths, allocates nothing. A *Policy
// is immutable after Parse and safe for concurrent use by many goroutines.
//
// # Semantics in brief
//
//   - Action/NotAction: "service:Name" with * and ? wildcards, matched
//     case-insensitively (service prefix included). "*" matches every action.
//   - Resource/NotResource: case-sensitive ARN wildcard matching. A * at the
//     end of an ARN segment (followed by ':' or the end of the pattern) may
//     expand across ':' boundaries; a * or ? inside a segment does not match
//     ':'. This is the rule AWS documents for the Resource element. A request
//     resource of "*" (actions without resource-level permissions) is matched
//     only by a pattern that matches the literal string "*", i.e. "*".
//     The Arn* condition operators use the same matcher (ArnEquals and
//     ArnLike behave identically, as in AWS).
//   - Principal ARNs compare case-insensitively (IAM user and role names are
//     case-insensitive); a role ARN matches the role and its assumed-role
//     sessions (Principal.RoleARN); an account ID or :root ARN matches every
//     principal of that account; "*" matches everyone, services included.
//   - Policy variables such as ${aws:username} or ${aws:PrincipalTag/team}
//     (policies of Version 2012-10-17 only; in others ${...} is literal)
//     are expanded from the request context in Resource and NotResource
//     and in the values of the String* and Arn* condition operators, as
//     IAM does; other operators compare ${...} literally. A key that is
//     absent, or has several values (multivalued keys cannot be
//     variables), makes the value match nothing unless a default is given
//     (${key, 'default'}). String comparisons against a value with
//     variables allocate nothing; patterns with variables (Resource,
//     StringLike, Arn*) are expanded and compiled per request.
//   - Principal.NamedOnly matches a Principal element only where it names
//     the caller itself (or everyone), for the same-account rule of
//     resource-based policies.
//   - Conditions: every condition (operator, key) pair must hold (AND); a
//     pair holds when any of its values matches (OR), a negated one
//     (StringNotEquals, ArnNotLike, NotIpAddress, ...) when none does
//     (NOR). A missing key makes the positive operators fail and the
//     negated ones hold; ...IfExists holds on a missing key (negated
//     operators included); Null tests presence. ForAnyValue: holds when
//     some request value passes the (possibly negated) test and fails on a
//     missing key or an empty data set (all values ""), even with
//     IfExists; ForAllValues: holds when every request value passes and on
//     a missing key or empty data set. ForAllValues:Null always holds,
//     ForAnyValue:Null never. An operator without a qualifier over a key
//     with several request values, which AWS leaves undefined, is read to
//     grant least: in a Deny it holds when some value passes, in an Allow
//     never. Request context keys must be lower-case; the policy's keys are
//     lower-cased when compiled. condition.go (ccond.eval) quotes the AWS
//     documentation for each rule and TestAWSSemantics checks them.
//   - Unknown keys (Request.Unknown, for the SCP lockout guard): a pair over
//     a key the caller cannot know is unknown whatever its operator, and so
//     is a value or Resource pattern whose policy variable names one (other
//     values and patterns can still decide). A statement with a known-false
//     pair does not match; one with no false pair but an unknown one is
//     undecided. Decision treats undecided statements as not matching, and
//     Result.Undecided reports that an undecided Deny could turn the
//     decision into an explicit deny, or an undecided Allow an implicit
//     deny into an Allow, naming the statement and the key as the policy
//     writes it. With Unknown nil evaluation is two-valued.
//   - Principal/NotPrincipal are evaluated only for KindTrust,
//     KindResource, KindRCP and KindRCPManaged policies.
//   - Resource control policies (KindRCP; KindRCPManaged for the
//     AWS-managed RCPFullAWSAccess) follow the Organizations "RCP syntax"
//     rules on top of the resource-policy grammar (rcp.go): Version
//     2012-10-17, Effect Deny, Principal "*", no NotPrincipal or
//     NotAction, actions of the services RCPService lists.
//   - Decision order within a policy or a set of policies: an explicit Deny
//     wins over an Allow, which wins over the implicit deny. The deciding
//     statement is the first matching Deny, else the first matching Allow, in
//     document (and set) order; Result.Keys lists its condition keys as
//     written, so that a refusal can name the key that decided.
//
// # Unknown resource ids
//
// With Request.ResourceUnknown, each "*" of the request's Resource is text
// the caller cannot know (an id AWS generates; text without ":"): a
// pattern that covers every such text matches, one whose glob cannot
// overlap it does not, and any other leaves the statement undecided, with
// Result.UnknownKey ResourceKey.
//
// # Dependencies
//
// This package must import nothing outside the Go standard library: in
// particular no AWS SDK and no other package of this module, so that the
// emulator, the lockout guard and the CLI can all depend on it without
// cycles. A test (TestImportsAreStdlibOnly) enforces this.
package iampolicy
