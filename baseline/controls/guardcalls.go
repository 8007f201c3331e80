package controls

// guardedCalls are the calls the lockout guard checks: the call model of
// every control in cs. A control that does not describe its calls
// (Caller) is guarded by its Actions, each on "*" in every targeted
// account and governed region.
func guardedCalls(cs []Control, o *Org) []Call {
	var out []Call
	for _, c := range cs {
		if m, ok := c.(Caller); ok {
			out = append(out, m.Calls(o)...)
			continue
		}
		for _, a := range c.Actions() {
			out = append(out, Call{Control: c.Name(), Action: a, Resource: "*"})
		}
	}
	return out
}
