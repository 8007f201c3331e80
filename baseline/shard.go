package baseline

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part of a run split across machines (--shard INDEX/COUNT):
// the accounts whose id hashes to Index modulo Count, Index from 0. The
// organization-scope controls run in shard 0 only.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "INDEX/COUNT" (0 <= INDEX < COUNT). INDEX may be
// "auto", read from index (the job runner's environment: Kubernetes
// JOB_COMPLETION_INDEX, AWS Batch AWS_BATCH_JOB_ARRAY_INDEX); index is
// called only then.
func ParseShard(s string, index func() (string, error)) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		return Shard{}, fmt.Errorf("--shard %q: give INDEX/COUNT, like 0/3 for the first of three shards (INDEX from 0, or auto)", s)
	}
	if i == "auto" {
		v, err := index()
		if err != nil {
			return Shard{}, fmt.Errorf("--shard %q: %w", s, err)
		}
		i = v
	}
	idx, err := strconv.Atoi(i)
	if err != nil || idx < 0 || idx >= count {
		return Shard{}, fmt.Errorf("--shard %q: the index must be a number from 0 to %d", s, count-1)
	}
	return Shard{Index: idx, Count: count}, nil
}

// String is "INDEX/COUNT".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Holds reports whether the account belongs to this shard: the FNV-1a hash
// of its id modulo Count is Index. The hash is stable across runs,
// machines and versions, so an account stays in its shard.
func (s Shard) Holds(accountID string) bool {
	return ShardOf(accountID, s.Count) == s.Index
}

// ShardOf is the shard index of an account among count shards.
func ShardOf(accountID string, count int) int {
	if count <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(accountID))
	return int(h.Sum64() % uint64(count))
}
