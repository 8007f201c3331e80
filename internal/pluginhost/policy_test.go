package pluginhost

import (
	"fmt"
	"strings"
	"testing"
)

func TestSessionPolicy(t *testing.T) {
	many := make([]string, 120)
	for k := range many {
		many[k] = fmt.Sprintf("iam:ListSomething%03d", k)
	}
	for _, tt := range []struct {
		name    string
		actions []string
		want    string
		wantErr string
	}{
		{"exact, sorted, deduplicated", []string{"s3:GetBucketPolicy", "iam:ListUsers", "s3:GetBucketPolicy"},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","s3:GetBucketPolicy"],"Resource":"*"}]}`, ""},
		{"nothing declared denies everything", nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":"*"}]}`, ""},
		{"wildcard", []string{"iam:List*"}, "", `action "iam:List*" is not of the form service:Action`},
		{"no service", []string{"ListUsers"}, "", `action "ListUsers" is not of the form service:Action`},
		{"too long", many, "", "over AssumeRole's 2048-character limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SessionPolicy(tt.actions)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("SessionPolicy = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
