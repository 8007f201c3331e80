package orgsim

import (
	"sort"
	"strings"
	"time"
)

// IAM: MFA devices.

type iamXMFADevice struct {
	UserName     string   `xml:"UserName,omitempty"`
	SerialNumber string   `xml:"SerialNumber"`
	EnableDate   *isoTime `xml:"EnableDate"`
}

// rootMFASerial is the serial number of the root user's virtual MFA device.
func (s *Sim) rootMFASerial(acct string) string {
	return s.arn("iam", "", acct, "mfa/root-account-mfa-device")
}

func iamListMFADevices(c *call) (any, *apiError) {
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	var devs []iamXMFADevice
	if u == nil {
		root := c.iamSt().root
		if root.mfa {
			devs = append(devs, iamXMFADevice{SerialNumber: c.rootMFASerialOf(), EnableDate: iso(root.created)})
		}
	} else {
		for _, d := range u.mfa {
			devs = append(devs, iamXMFADevice{UserName: u.name, SerialNumber: d.serial, EnableDate: iso(d.enabled)})
		}
	}
	start, end, pg, e := c.iamPage(len(devs))
	if e != nil {
		return nil, e
	}
	return struct {
		MFADevices iamMembers[iamXMFADevice] `xml:"MFADevices"`
		iamPageOut
	}{devs[start:end], pg}, nil
}

type iamXVirtualMFA struct {
	SerialNumber     string    `xml:"SerialNumber"`
	Base32StringSeed string    `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string    `xml:"QRCodePNG,omitempty"`
	User             *iamXUser `xml:"User"`
	EnableDate       *isoTime  `xml:"EnableDate,omitempty"`
}

// virtualMFAs lists the account's virtual MFA devices: the root user's (when
// it uses a virtual device), those created with CreateVirtualMFADevice and
// any other virtual device assigned to a user, sorted by serial number.
func (c *call) virtualMFAs() []iamXVirtualMFA {
	st := c.iamSt()
	var out []iamXVirtualMFA
	seen := map[string]bool{}
	add := func(d *mfaDevice, owner *iamUser) {
		if seen[d.serial] {
			return
		}
		seen[d.serial] = true
		x := iamXVirtualMFA{SerialNumber: d.serial}
		if owner == nil && d.user != "" {
			owner = st.findUser(d.user)
		}
		if owner != nil {
			xu := xUser(owner, false)
			x.User = &xu
			x.EnableDate = iso(d.enabled)
		}
		out = append(out, x)
	}
	for _, u := range st.users {
		for _, d := range u.mfa {
			if d.virtual {
				add(d, u)
			}
		}
	}
	for _, d := range st.virtualMFA {
		add(d, nil)
	}
	if st.root.mfa && !st.root.hardwareMFA {
		out = append(out, iamXVirtualMFA{
			SerialNumber: c.sim.rootMFASerial(c.acct.ID),
			User:         &iamXUser{UserId: c.acct.ID, Arn: c.sim.arn("iam", "", c.acct.ID, "root"), CreateDate: iso(st.root.created)},
			EnableDate:   iso(st.root.created),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SerialNumber < out[j].SerialNumber })
	return out
}

func iamListVirtualMFADevices(c *call) (any, *apiError) {
	v := c.iamValidate()
	status := v.enum("AssignmentStatus", "Assigned", "Unassigned", "Any")
	if e := v.err(); e != nil {
		return nil, e
	}
	var devs []iamXVirtualMFA
	for _, d := range c.virtualMFAs() {
		if (status == "Assigned" && d.User == nil) || (status == "Unassigned" && d.User != nil) {
			continue
		}
		devs = append(devs, d)
	}
	start, end, pg, e := c.iamPage(len(devs))
	if e != nil {
		return nil, e
	}
	return struct {
		VirtualMFADevices iamMembers[iamXVirtualMFA] `xml:"VirtualMFADevices"`
		iamPageOut
	}{devs[start:end], pg}, nil
}

func (st *iamState) findVirtualMFA(serial string) *mfaDevice {
	for _, d := range st.virtualMFA {
		if d.serial == serial {
			return d
		}
	}
	return nil
}

func iamCreateVirtualMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("VirtualMFADeviceName", true, 226)
	path := v.path("Path")
	v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	serial := c.sim.iamARN(c.acct.ID, "mfa", path, name)
	for _, d := range c.virtualMFAs() {
		if strings.EqualFold(d.SerialNumber, serial) {
			return nil, newErr(409, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
		}
	}
	d := &mfaDevice{serial: serial, virtual: true, created: c.now}
	st.virtualMFA = append(st.virtualMFA, d)
	seed := c.sim.randomID(64)
	// A PNG signature and an empty IHDR-less body: clients only store it.
	png := append([]byte("\x89PNG\r\n\x1a\n"), []byte("otpauth://totp/"+name+"@"+c.acct.ID+"?secret="+seed)...)
	return struct {
		VirtualMFADevice iamXVirtualMFA `xml:"VirtualMFADevice"`
	}{iamXVirtualMFA{SerialNumber: serial, Base32StringSeed: iamBase64([]byte(seed)), QRCodePNG: iamBase64(png)}}, nil
}

func iamDeleteVirtualMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	d := st.findVirtualMFA(serial)
	if d == nil {
		return nil, newErr(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	if d.user != "" {
		return nil, newErr(409, "DeleteConflict", "MFA Device is still in use.")
	}
	for i, x := range st.virtualMFA {
		if x == d {
			st.virtualMFA = append(st.virtualMFA[:i:i], st.virtualMFA[i+1:]...)
			break
		}
	}
	return nil, nil
}

func iamEnableMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	v.str("AuthenticationCode1", true, 6, 6, &iamPatCode)
	v.str("AuthenticationCode2", true, 6, 6, &iamPatCode)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	st := c.iamSt()
	for _, x := range st.users {
		for _, d := range x.mfa {
			if d.serial == serial {
				return nil, newErr(409, "EntityAlreadyExists", "MFA Device is already in use.")
			}
		}
	}
	if len(u.mfa) >= iamMaxMFAPerUser {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: %d", iamMaxMFAPerUser)
	}
	d := st.findVirtualMFA(serial)
	switch {
	case d != nil:
		d.user, d.enabled = u.name, c.now
	case strings.HasPrefix(serial, "arn:"):
		return nil, newErr(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	default:
		// Any other serial number is a hardware token.
		d = &mfaDevice{serial: serial, enabled: c.now, created: c.now, user: u.name}
	}
	u.mfa = append(u.mfa, d)
	return nil, nil
}

func iamDeactivateMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	if u == nil {
		// The root user's own device (iam_rootaccess.go).
		return nil, c.deactivateRootMFA(serial)
	}
	for i, d := range u.mfa {
		if d.serial == serial {
			u.mfa = append(u.mfa[:i:i], u.mfa[i+1:]...)
			d.user, d.enabled = "", time.Time{}
			return nil, nil
		}
	}
	return nil, newErr(404, "NoSuchEntity", "MFA Device with serial number %s does not exist.", serial)
}
