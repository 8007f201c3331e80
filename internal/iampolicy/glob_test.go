package iampolicy

import "testing"

func TestGlob(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		fold    bool
		arn     bool
		in      string
		want    bool
	}{
		{"all", "*", false, false, "anything:at/all", true},
		{"all matches empty", "*", false, false, "", true},
		{"exact", "abc", false, false, "abc", true},
		{"exact case-sensitive", "abc", false, false, "ABC", false},
		{"exact folded", "iam:GetUser", true, false, "IAM:getuser", true},
		{"prefix", "s3:Get*", true, false, "s3:GetObjectAcl", true},
		{"prefix folded", "S3:get*", true, false, "s3:GETOBJECT", true},
		{"prefix too short", "s3:Get*", true, false, "s3:Ge", false},
		{"question mark", "s3:Get?bject", true, false, "s3:GetObject", true},
		{"question mark one char only", "s3:Get?bject", true, false, "s3:GetOObject", false},
		{"star middle", "iam:*Policy", true, false, "iam:UpdateAccountPasswordPolicy", true},
		{"star middle no match", "iam:*Policy", true, false, "iam:UpdateAccountPasswordPolicyX", false},
		{"two stars backtrack", "a*b*c", false, false, "axxbyybzzc", true},
		{"two stars fail", "a*b*c", false, false, "axxbyyb", false},
		{"collapsed stars", "a**c", false, false, "abc", true},
		{"question matches rune", "caf?", false, false, "café", true},
		{"star then question", "*?", false, false, "é", true},
		{"star then two questions on one rune", "*??", false, false, "é", false},
		{"like is plain glob across colon", "arn:aws:iam::*", false, false, "arn:aws:iam::111122223333:role/x", true},

		{"arn all", "*", false, true, "arn:aws:s3:::b/k", true},
		{"arn all matches literal star", "*", false, true, "*", true},
		{"arn pattern does not match star", "arn:aws:s3:::*", false, true, "*", false},
		{"arn exact", "arn:aws:s3:::b", false, true, "arn:aws:s3:::b", true},
		{"arn case-sensitive", "arn:aws:iam::111122223333:user/Bob", false, true, "arn:aws:iam::111122223333:user/bob", false},
		{"arn trailing star crosses colons", "arn:aws:s3:::bucket/*", false, true, "arn:aws:s3:::bucket/a:b:c", true},
		{"arn segment-end star crosses colons", "arn:aws:logs:*:*:log-group:*", false, true, "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", true},
		{"arn account star", "arn:aws:iam::*:role/Admin", false, true, "arn:aws:iam::111122223333:role/Admin", true},
		{"arn account star other role", "arn:aws:iam::*:role/Admin", false, true, "arn:aws:iam::111122223333:role/Admin2", false},
		{"arn mid-segment star", "arn:aws:s3:::*-logs/*", false, true, "arn:aws:s3:::acme-logs/2024/x", true},
		{"arn mid-segment star does not cross colon", "arn:aws:iam::111122223333:role/a*b", false, true, "arn:aws:iam::111122223333:role/a:x:b", false},
		{"arn mid-segment star within segment", "arn:aws:iam::111122223333:role/a*b", false, true, "arn:aws:iam::111122223333:role/a/x/b", true},
		{"arn question not colon", "arn:aws:s3:::a?b", false, true, "arn:aws:s3:::a:b", false},
		{"arn question", "arn:aws:s3:::a?b", false, true, "arn:aws:s3:::a/b", true},
		{"arn restricted then unrestricted", "arn:aws:iam::*:role/AWSReservedSSO_*_abc*", false, true, "arn:aws:iam::111122223333:role/aws-reserved/AWSReservedSSO_Admin_abc123", false},
		{"arn restricted with path", "arn:aws:iam::*:role/*AWSReservedSSO_*", false, true, "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1", true},
		{"arn region wildcard", "arn:aws:ec2:*:111122223333:instance/*", false, true, "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", true},
		{"arn different service", "arn:aws:ec2:*:*:*", false, true, "arn:aws:s3:::b", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := compileGlob(tc.pattern, tc.fold, tc.arn)
			if got := g.match(tc.in); got != tc.want {
				t.Errorf("glob %q (fold=%v arn=%v, kind %d).match(%q) = %v, want %v", tc.pattern, tc.fold, tc.arn, g.kind, tc.in, got, tc.want)
			}
		})
	}
}

// refPlain is a naive recursive reference for plain globs over ASCII.
func refPlain(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if refPlain(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && refPlain(p[1:], s[1:])
	}
	return s != "" && p[0] == s[0] && refPlain(p[1:], s[1:])
}

// words returns every string over alphabet of length <= n.
func words(alphabet string, n int) []string {
	out := []string{""}
	prev := []string{""}
	for l := 1; l <= n; l++ {
		var next []string
		for _, w := range prev {
			for i := 0; i < len(alphabet); i++ {
				next = append(next, w+alphabet[i:i+1])
			}
		}
		out = append(out, next...)
		prev = next
	}
	return out
}

// TestGlobStrategiesAgree checks every compiled strategy (fast paths,
// prefix/suffix stripping) against the reference matchers, exhaustively over
// short patterns and inputs.
func TestGlobStrategiesAgree(t *testing.T) {
	patterns := words("a:*?", 5)
	inputs := words("aA:", 5)
	failures := 0
	for _, p := range patterns {
		arnGlob := compileGlob(p, false, true)
		plainGlob := compileGlob(p, false, false)
		foldGlob := compileGlob(p, true, false)
		for _, in := range inputs {
			if got, want := arnGlob.match(in), matchRestricted(p, in); got != want {
				t.Errorf("ARN rule: pattern %q on %q: compiled (kind %d) = %v, reference = %v", p, in, arnGlob.kind, got, want)
				failures++
			}
			if got, want := plainGlob.match(in), refPlain(p, in); got != want {
				t.Errorf("plain: pattern %q on %q: compiled (kind %d) = %v, reference = %v", p, in, plainGlob.kind, got, want)
				failures++
			}
			if got, want := foldGlob.match(in), refPlain(p, lowerASCII(in)); got != want {
				t.Errorf("folded: pattern %q on %q: compiled (kind %d) = %v, reference = %v", p, in, foldGlob.kind, got, want)
				failures++
			}
			if failures > 20 {
				t.Fatal("too many failures")
			}
		}
	}
}
