package baseline

import (
	"slices"
	"strings"
	"testing"
)

func TestGuardContextValues(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte("version: 1\norganization:\n  guardContext:\n    aws:SourceIp: 203.0.113.7\n    aws:SourceVpc: [vpc-1, vpc-2]\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gc := b.Organization.GuardContext
	if !slices.Equal(gc["aws:SourceIp"], GuardValues{"203.0.113.7"}) || !slices.Equal(gc["aws:SourceVpc"], GuardValues{"vpc-1", "vpc-2"}) {
		t.Fatalf("guardContext = %v", gc)
	}
}

func TestGuardContextRefused(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"aws:PrincipalArn: arn:aws:iam::111111111111:role/x", `sets "aws:PrincipalArn" itself`},
		{"aws:PrincipalTag/team: sec", `sets "aws:PrincipalTag/team" itself`},
		{"aws:RequestedRegion: us-east-1", `sets "aws:RequestedRegion" itself`},
		{"SourceIp: 1.2.3.4", `"SourceIp" is not a condition key`},
		{"aws:SourceIp: []", "aws:SourceIp has no value"},
		{"aws:SourceIp: {a: b}", "guardContext.aws:SourceIp"},
	} {
		_, err := LoadBytes("b.yaml", []byte("version: 1\norganization:\n  guardContext:\n    "+tc.yaml+"\n"), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.yaml, err, tc.want)
		}
	}
}
