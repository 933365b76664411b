package optgroups

import (
	"time"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/verify"
)

// ParseVerify reads the "Validation options" verification parameters into
// verify.Options, for both commands alike: purpose is the command's
// default purpose (s_client checks "sslserver", s_server "sslclient") and
// authLevel its default -auth_level. The trust store, CRLs and callback are
// the command's to fill in. Bad values are refused with openssl's words.
func ParseVerify(v *opt.Values, purpose string, authLevel int) (verify.Options, error) {
	o := verify.Options{
		Depth:          verify.DefaultDepth,
		Purpose:        purpose,
		AuthLevel:      authLevel,
		CRLCheck:       v.Has("crl_check"),
		CRLCheckAll:    v.Has("crl_check_all"),
		UseDeltas:      v.Has("use_deltas"),
		Hostname:       v.Str("verify_hostname", ""),
		Email:          v.Str("verify_email", ""),
		IP:             v.Str("verify_ip", ""),
		NoCheckTime:    v.Has("no_check_time"),
		PartialChain:   v.Has("partial_chain"),
		X509Strict:     v.Has("x509_strict"),
		IgnoreCritical: v.Has("ignore_critical"),
		CheckSSSig:     v.Has("check_ss_sig"),
	}
	if p, ok := v.Get("purpose"); ok {
		if !verify.ValidPurpose(p) {
			return o, &opt.UsageError{Lines: []string{"Invalid purpose " + p}}
		}
		o.Purpose = p
	}
	if n, ok := v.Get("verify_name"); ok {
		p, ok := verify.PolicyPurpose(n)
		if !ok {
			return o, &opt.UsageError{Lines: []string{"Invalid verify name " + n}}
		}
		o.Purpose = p
	}
	if v.Has("verify_depth") {
		o.Depth = int(v.Int("verify_depth", verify.DefaultDepth))
	}
	if v.Has("auth_level") {
		o.AuthLevel = int(v.Int("auth_level", int64(authLevel)))
	}
	if v.Has("attime") {
		o.AtTime = time.Unix(v.Int("attime", 0), 0)
	}
	o.Policy = verify.PolicyOptions{
		Check:          v.Has("policy_check"),
		Explicit:       v.Has("explicit_policy"),
		InhibitAny:     v.Has("inhibit_any"),
		InhibitMapping: v.Has("inhibit_map"),
		Print:          v.Has("policy_print"),
	}
	for _, p := range v.All("policy") {
		oid, ok := verify.ParsePolicyOID(p)
		if !ok {
			return o, &opt.UsageError{Lines: []string{"Invalid Policy " + p}}
		}
		o.Policy.Policies = append(o.Policy.Policies, oid)
	}
	return o, nil
}
