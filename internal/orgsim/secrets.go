package orgsim

import (
	"crypto/rand"
	"encoding/hex"
)

// base32Upper is the alphabet of access key ids after their prefix
// (AKIA/ASIA), as randomID draws them.
const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// unpredictable returns n characters of alphabet drawn from crypto/rand,
// for the secrets of Options.RandomCredentials. Both alphabets have a
// length that divides 256 (32, 64), so a byte modulo it is uniform.
func unpredictable(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never returns an error since Go 1.24
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// randomAdminToken is a new admin API bearer token: 32 bytes from
// crypto/rand, hex.
func randomAdminToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "orgsim-admin-" + hex.EncodeToString(b[:])
}
