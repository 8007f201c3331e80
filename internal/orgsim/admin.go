package orgsim

import (
	"encoding/json"
	"net/http"
)

// serveAdmin answers the small admin API under /_orgsim/, for the operator
// of the emulator, on the same listener. Every request must carry the
// admin token or the management credentials' signature (adminauth.go):
// the API can reset counters and inject faults, and tells the management
// account's id.
//
//	GET    /_orgsim/health    {"status":"ok","managementAccountId":...}
//	GET    /_orgsim/counters  the call counters (Snapshot as JSON)
//	DELETE /_orgsim/counters  reset them
//	GET    /_orgsim/faults    the fault rules
//	PUT    /_orgsim/faults    replace them (a Faults document)
//	GET    /_orgsim/settling  what AWS has not finished yet (AWSLike delays), soonest first
//
// S3 bucket names cannot start with "_", so the prefix never collides with
// a path-style S3 request.
func (s *Sim) serveAdmin(w http.ResponseWriter, r *http.Request) {
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
	body, aerr := readBody(w, r, nil, maxAdminBody)
	if aerr != nil {
		writeJSONError(w, aerr, newRequestID())
		return
	}
	if why := s.adminDenied(r, body); why != "" {
		http.Error(w, "orgsim admin API: access denied: "+why+"; "+adminAuthHelp, http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case adminPrefix + "health":
		reply(map[string]string{"status": "ok", "managementAccountId": s.ManagementAccountID()})
	case adminPrefix + "counters":
		switch r.Method {
		case http.MethodGet:
			sn := s.Counters()
			reply(map[string]any{"reads": sn.Reads(), "writes": sn.Writes(), "throttled": sn.Throttled(), "faulted": sn.Faulted(), "calls": sn})
		case http.MethodDelete:
			s.ResetCounters()
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "use GET or DELETE", http.StatusMethodNotAllowed)
		}
	case adminPrefix + "settling":
		reply(map[string]any{"now": s.now(), "settling": s.Settling()})
	case adminPrefix + "faults":
		switch r.Method {
		case http.MethodGet:
			reply(s.Faults())
		case http.MethodPut:
			var f Faults
			if err := json.Unmarshal(body, &f); err != nil {
				http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
				return
			}
			s.SetFaults(f)
			reply(s.Faults())
		default:
			http.Error(w, "use GET or PUT", http.StatusMethodNotAllowed)
		}
	default:
		http.NotFound(w, r)
	}
}
