package baseline

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	none := func() (string, error) { return "", errors.New("no index in the environment") }
	for in, want := range map[string]Shard{"0/1": {0, 1}, "2/3": {2, 3}, "9/10": {9, 10}} {
		got, err := ParseShard(in, none)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	got, err := ParseShard("auto/4", func() (string, error) { return "3", nil })
	if err != nil || got != (Shard{3, 4}) {
		t.Errorf("auto/4 with index 3 = %v, %v", got, err)
	}
	for in, msg := range map[string]string{
		"3/3": "from 0 to 2", "-1/3": "from 0 to 2", "1": "INDEX/COUNT", "1/0": "INDEX/COUNT",
		"a/3": "from 0 to 2", "auto/3": "no index in the environment", "": "INDEX/COUNT",
	} {
		if _, err := ParseShard(in, none); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseShard(%q) error %v, want it to say %q", in, err, msg)
		}
	}
}

// Every account is in exactly one shard, the split is roughly even, and an
// account's shard does not depend on the others.
func TestShardsPartitionAccounts(t *testing.T) {
	const n, accounts = 3, 3000
	counts := make([]int, n)
	for i := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+i*7919)
		in := 0
		for s := range n {
			if (Shard{s, n}).Holds(id) {
				in++
				counts[s]++
			}
		}
		if in != 1 {
			t.Fatalf("account %s is in %d shards", id, in)
		}
	}
	for s, c := range counts {
		if c < accounts/n*8/10 || c > accounts/n*12/10 {
			t.Errorf("shard %d holds %d of %d accounts: the hash does not spread them", s, c, accounts)
		}
	}
	if ShardOf("123456789012", 5) != ShardOf("123456789012", 5) || ShardOf("x", 1) != 0 {
		t.Error("ShardOf is not stable")
	}
}

// Every reference in the mapping cites a framework Frameworks lists, so
// --framework can select each of them.
func TestFrameworksCoverTheMapping(t *testing.T) {
	for check, refs := range Compliance {
		for _, ref := range refs {
			fw, _, _ := strings.Cut(ref, ":")
			if _, ok := FrameworkNamed(fw); !ok {
				t.Errorf("%s cites %s, whose framework %q is not in Frameworks()", check, ref, fw)
			}
		}
	}
	if fw, ok := FrameworkNamed("cis-3.0"); !ok || fw != "CIS-3.0" {
		t.Errorf(`FrameworkNamed("cis-3.0") = %q, %v`, fw, ok)
	}
}
