package pluginhost

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// DefaultPluginUser is the user plugins run as when orgbaseline runs as
// root and Options.User is empty.
const DefaultPluginUser = "nobody"

// overflowID is the kernel's "nobody" uid and gid, used when the system
// has no nobody user (a scratch or distroless image without one).
const overflowID = 65534

// pluginUser is the unprivileged account plugins run as.
type pluginUser struct {
	uid, gid uint32
}

// resolvePluginUser returns who plugins run as, given Options.User (a
// name, a uid or uid:gid; "" for the default) and the tool's effective
// uid. It returns nil when plugins run as the tool's own user: a tool not
// running as root cannot switch users, and says so if one was asked for.
func resolvePluginUser(spec string, euid int) (*pluginUser, error) {
	u, err := lookupPluginUser(spec)
	if err != nil {
		return nil, err
	}
	switch {
	case euid != 0 && (spec == "" || int(u.uid) == euid):
		return nil, nil
	case euid != 0:
		return nil, fmt.Errorf("plugin user %q: only root can run plugins as another user, and orgbaseline runs as uid %d; "+
			"unset the plugin user (plugins then run as uid %d) or run orgbaseline as root", baseline.Clip(spec), euid, euid)
	case u.uid == 0 || u.gid == 0:
		return nil, fmt.Errorf("plugin user %q is root or in group root; plugins never run with root's rights: give an unprivileged user such as %s",
			baseline.Clip(spec), DefaultPluginUser)
	}
	return u, nil
}

// lookupPluginUser resolves a name, a uid or uid:gid.
func lookupPluginUser(spec string) (*pluginUser, error) {
	if spec == "" {
		u, err := lookupPluginUser(DefaultPluginUser)
		if err != nil {
			return &pluginUser{uid: overflowID, gid: overflowID}, nil
		}
		return u, nil
	}
	if uid, gid, ok := strings.Cut(spec, ":"); ok {
		u, uerr := strconv.ParseUint(uid, 10, 32)
		g, gerr := strconv.ParseUint(gid, 10, 32)
		if uerr != nil || gerr != nil {
			return nil, fmt.Errorf("plugin user %q is not of the form uid:gid (numbers, such as 65534:65534)", baseline.Clip(spec))
		}
		return &pluginUser{uid: uint32(u), gid: uint32(g)}, nil
	}
	var acct *user.User
	var err error
	if _, nerr := strconv.ParseUint(spec, 10, 32); nerr == nil {
		acct, err = user.LookupId(spec)
	} else {
		acct, err = user.Lookup(spec)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin user %q: %w; give an existing user, or uid:gid", baseline.Clip(spec), err)
	}
	uid, uerr := strconv.ParseUint(acct.Uid, 10, 32)
	gid, gerr := strconv.ParseUint(acct.Gid, 10, 32)
	if uerr != nil || gerr != nil {
		return nil, fmt.Errorf("plugin user %q has no numeric uid and gid on this system; give uid:gid", baseline.Clip(spec))
	}
	return &pluginUser{uid: uint32(uid), gid: uint32(gid)}, nil
}
