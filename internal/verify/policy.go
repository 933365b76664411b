package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"
)

// Certificate policies, RFC 5280 section 6.1 (the valid_policy_tree),
// with OpenSSL 3.0's verdicts and its -policy_print report:
//
//   - a certificate whose policy extensions are malformed or inconsistent
//     (a policy listed twice, anyPolicy in a mapping) is 42;
//   - when an explicit policy is required at the end (-explicit_policy, or
//     a requireExplicitPolicy that counted down) and no acceptable policy
//     is left, verification reports 43 with no certificate. As in openssl,
//     the acceptable set is the user's (-policy): without -policy it is
//     empty, so -explicit_policy alone fails any longer chain;
//   - the trust anchor (the chain's top certificate) takes no part: a
//     chain of the trust anchor alone passes.

var (
	oidCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidPolicyMappings   = asn1.ObjectIdentifier{2, 5, 29, 33}
	oidPolicyConstraint = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidInhibitAny       = asn1.ObjectIdentifier{2, 5, 29, 54}
	oidAnyPolicy        = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
)

const anyPolicy = "2.5.29.32.0"

// PolicyOptions are the -policy… verification parameters. Check is set by
// -policy_check and implied by the other three flags.
type PolicyOptions struct {
	Check          bool     // -policy_check
	Explicit       bool     // -explicit_policy
	InhibitAny     bool     // -inhibit_any
	InhibitMapping bool     // -inhibit_map
	Print          bool     // -policy_print: report the policies through the callback
	Policies       []string // -policy OIDs (dotted), the user-initial-policy-set
}

func (p PolicyOptions) enabled() bool {
	return p.Check || p.Explicit || p.InhibitAny || p.InhibitMapping
}

// certPolicyInfo is what one certificate says about policies.
type certPolicyInfo struct {
	policies  []string // certificatePolicies, in order; nil without the extension
	hasExt    bool
	critical  bool
	mappings  [][2]string // issuerDomainPolicy, subjectDomainPolicy
	requireEP int         // requireExplicitPolicy, -1 if absent
	inhibitPM int         // inhibitPolicyMapping, -1 if absent
	inhibitAP int         // inhibitAnyPolicy, -1 if absent
	invalid   bool
}

func parsePolicyInfo(c *x509.Certificate) certPolicyInfo {
	info := certPolicyInfo{requireEP: -1, inhibitPM: -1, inhibitAP: -1}
	if e, ok := findExt(c, oidCertPolicies); ok {
		info.hasExt, info.critical = true, e.Critical
		var pis []struct {
			ID         asn1.ObjectIdentifier
			Qualifiers asn1.RawValue `asn1:"optional"`
		}
		if rest, err := asn1.Unmarshal(e.Value, &pis); err != nil || len(rest) != 0 || len(pis) == 0 {
			info.invalid = true
		}
		seen := map[string]bool{}
		for _, p := range pis {
			id := p.ID.String()
			if seen[id] {
				info.invalid = true // RFC 5280 section 4.2.1.4: no OID more than once
			}
			seen[id] = true
			info.policies = append(info.policies, id)
		}
	}
	if e, ok := findExt(c, oidPolicyMappings); ok {
		var maps []struct{ Issuer, Subject asn1.ObjectIdentifier }
		if rest, err := asn1.Unmarshal(e.Value, &maps); err != nil || len(rest) != 0 || len(maps) == 0 {
			info.invalid = true
		}
		for _, m := range maps {
			if m.Issuer.Equal(oidAnyPolicy) || m.Subject.Equal(oidAnyPolicy) {
				info.invalid = true // section 4.2.1.5
			}
			info.mappings = append(info.mappings, [2]string{m.Issuer.String(), m.Subject.String()})
		}
	}
	if e, ok := findExt(c, oidPolicyConstraint); ok {
		var seq asn1.RawValue
		if rest, err := asn1.Unmarshal(e.Value, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence || len(seq.Bytes) == 0 {
			info.invalid = true // section 4.2.1.11: both fields absent is forbidden
		} else {
			for b := seq.Bytes; len(b) > 0; {
				var f asn1.RawValue
				if b, err = asn1.Unmarshal(b, &f); err != nil {
					info.invalid = true
					break
				}
				n := 0
				for _, x := range f.Bytes {
					n = n<<8 | int(x)
				}
				if f.Tag == 0 {
					info.requireEP = n
				} else {
					info.inhibitPM = n
				}
			}
		}
	}
	if e, ok := findExt(c, oidInhibitAny); ok {
		var n int
		if rest, err := asn1.Unmarshal(e.Value, &n); err != nil || len(rest) != 0 || n < 0 {
			info.invalid = true
		} else {
			info.inhibitAP = n
		}
	}
	return info
}

// policyNode is a node of the valid_policy_tree.
type policyNode struct {
	policy   string
	expected []string
	parent   *policyNode
	children int
	critical bool
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkPolicy runs after the name constraints, as in OpenSSL 3.0.
func (v *verifier) checkPolicy() bool {
	p := v.o.Policy
	if !p.enabled() {
		return true
	}
	n := len(v.chain) - 1 // certificates below the trust anchor
	if n == 0 {
		// The trust anchor alone leaves nothing to check: openssl 3.0
		// takes the chain whatever the flags, -explicit_policy and
		// -policy included, and reports no explicit policy required
		// (measured with a trusted self-signed server certificate).
		if p.Print {
			v.policyText = policyReport(false, nil, nil)
			v.notify()
		}
		return true
	}
	infos := make([]certPolicyInfo, len(v.chain))
	invalid := false
	for i := 0; i < n; i++ {
		infos[i] = parsePolicyInfo(v.chain[i])
		invalid = invalid || infos[i].invalid
	}
	if invalid {
		for i := 0; i < n; i++ {
			if infos[i].invalid && !v.fail(i, ErrInvalidPolicyExtension) {
				return false
			}
		}
		return true
	}
	explicit, anyInhibit, mapInhibit := n+1, n+1, n+1
	if p.Explicit {
		explicit = 0
	}
	if p.InhibitAny {
		anyInhibit = 0
	}
	if p.InhibitMapping {
		mapInhibit = 0
	}
	root := &policyNode{policy: anyPolicy, expected: []string{anyPolicy}}
	levels := [][]*policyNode{{root}}
	prev := levels[0]
	var cur []*policyNode
	empty := false
	for i := n - 1; i >= 0; i-- { // from the certificate below the anchor down
		c, info := v.chain[i], infos[i]
		selfIssued := sameName(c.RawSubject, c.RawIssuer)
		if !empty && info.hasExt {
			cur = nil
			add := func(parent *policyNode, policy string) {
				cur = append(cur, &policyNode{policy: policy, expected: []string{policy}, parent: parent, critical: info.critical})
				parent.children++
			}
			hasAny := false
			for _, pol := range info.policies {
				if pol == anyPolicy {
					hasAny = true
					continue
				}
				matched := false
				for _, par := range prev {
					if par.policy != anyPolicy && contains(par.expected, pol) {
						add(par, pol)
						matched = true
					}
				}
				if !matched {
					for _, par := range prev {
						if par.policy == anyPolicy {
							add(par, pol)
						}
					}
				}
			}
			if hasAny && (anyInhibit > 0 || (i > 0 && selfIssued)) {
				for _, par := range prev {
					for _, e := range par.expected {
						dup := false
						for _, x := range cur {
							if x.parent == par && x.policy == e {
								dup = true
							}
						}
						if !dup {
							add(par, e)
						}
					}
				}
			}
			if len(cur) == 0 {
				empty = true
			}
		} else {
			empty = true
		}
		if i > 0 && !empty {
			// Preparation for the next certificate (section 6.1.4 (b)).
			for _, m := range info.mappings {
				if mapInhibit > 0 {
					found := false
					for _, x := range cur {
						if x.policy == m[0] {
							if !found && len(x.expected) == 1 && x.expected[0] == m[0] {
								x.expected = nil
							}
							found = true
							if !contains(x.expected, m[1]) {
								x.expected = append(x.expected, m[1])
							}
						}
					}
					if !found {
						for _, x := range cur {
							if x.policy == anyPolicy && x.parent != nil {
								nn := &policyNode{policy: m[0], expected: []string{m[1]}, parent: x.parent, critical: x.critical}
								x.parent.children++
								cur = append(cur, nn)
								break
							}
						}
					}
				} else {
					var keep []*policyNode
					for _, x := range cur {
						if x.policy == m[0] {
							x.parent.children--
							continue
						}
						keep = append(keep, x)
					}
					cur = keep
				}
			}
		}
		if !selfIssued {
			explicit = max(explicit-1, 0)
			if i > 0 {
				mapInhibit = max(mapInhibit-1, 0)
				anyInhibit = max(anyInhibit-1, 0)
			}
		}
		if info.requireEP >= 0 && info.requireEP < explicit {
			explicit = info.requireEP
		}
		if i > 0 {
			if info.inhibitPM >= 0 && info.inhibitPM < mapInhibit {
				mapInhibit = info.inhibitPM
			}
			if info.inhibitAP >= 0 && info.inhibitAP < anyInhibit {
				anyInhibit = info.inhibitAP
			}
		}
		prev = cur
		levels = append(levels, cur)
	}
	required := explicit == 0
	var auth, user []*policyNode
	if !empty && n > 0 {
		levels = prunePolicyTree(levels)
		auth = authoritySet(levels)
		user = userSet(auth, p.Policies)
	}
	if required && (empty || len(user) == 0) {
		v.policyText = policyReport(true, nil, nil)
		return v.failNoCert(ErrNoExplicitPolicy)
	}
	if p.Print {
		v.policyText = policyReport(required, auth, user)
		v.notify()
	}
	return true
}

// prunePolicyTree drops, bottom up, the nodes above the leaf level that
// have no children left (section 6.1.3 (d)(3)).
func prunePolicyTree(levels [][]*policyNode) [][]*policyNode {
	for l := len(levels) - 2; l >= 0; l-- {
		var keep []*policyNode
		for _, x := range levels[l] {
			if x.children > 0 {
				keep = append(keep, x)
			} else if x.parent != nil {
				x.parent.children--
			}
		}
		levels[l] = keep
	}
	return levels
}

// authoritySet is openssl's authority policy set (RFC 5280's
// valid_policy_node_set): the nodes whose parent is an anyPolicy node,
// level by level while each level above has one, and the leaf level's
// anyPolicy node.
func authoritySet(levels [][]*policyNode) []*policyNode {
	var out []*policyNode
	for l := 1; l < len(levels); l++ {
		var any *policyNode
		for _, x := range levels[l-1] {
			if x.policy == anyPolicy {
				any = x
			}
		}
		if any == nil {
			break
		}
		for _, x := range levels[l] {
			if x.parent == any && x.policy != anyPolicy {
				out = append(out, x)
			}
		}
	}
	for _, x := range levels[len(levels)-1] {
		if x.policy == anyPolicy {
			out = append(out, x)
		}
	}
	sortPolicyNodes(out)
	return out
}

// userSet narrows the authority set to the -policy OIDs; anyPolicy among
// them accepts the whole authority set.
func userSet(auth []*policyNode, policies []string) []*policyNode {
	if len(policies) == 0 || len(auth) == 0 {
		return nil
	}
	if contains(policies, anyPolicy) {
		return auth
	}
	var out []*policyNode
	var any *policyNode
	for _, x := range auth {
		if x.policy == anyPolicy {
			any = x
		}
	}
	for _, p := range policies {
		found := false
		for _, x := range auth {
			if x.policy == p {
				out = append(out, x)
				found = true
			}
		}
		if !found && any != nil {
			out = append(out, &policyNode{policy: p, critical: any.critical, parent: any.parent})
		}
	}
	sortPolicyNodes(out)
	return out
}

// sortPolicyNodes orders nodes as openssl's object comparison does:
// shorter encodings first, then by bytes.
func sortPolicyNodes(nodes []*policyNode) {
	enc := func(s string) []byte {
		var oid asn1.ObjectIdentifier
		for _, f := range strings.Split(s, ".") {
			var n int
			fmt.Sscan(f, &n)
			oid = append(oid, n)
		}
		b, _ := asn1.Marshal(oid)
		return b
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := enc(nodes[i].policy), enc(nodes[j].policy)
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return bytes.Compare(a, b) < 0
	})
}

// policyReport is the text openssl's policies_print writes.
func policyReport(required bool, auth, user []*policyNode) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Require explicit Policy: %s\n", map[bool]string{true: "True", false: "False"}[required])
	for _, set := range []struct {
		name  string
		nodes []*policyNode
	}{{"Authority", auth}, {"User", user}} {
		if len(set.nodes) == 0 {
			fmt.Fprintf(&b, "%s Policies: <empty>\n", set.name)
			continue
		}
		fmt.Fprintf(&b, "%s Policies:\n", set.name)
		for _, x := range set.nodes {
			name := x.policy
			if name == anyPolicy {
				name = "X509v3 Any Policy"
			}
			crit := "Non Critical"
			if x.critical {
				crit = "Critical"
			}
			fmt.Fprintf(&b, "  Policy: %s\n    %s\n    No Qualifiers\n", name, crit)
		}
	}
	return b.String()
}

// ParsePolicyOID reads a -policy value: a dotted OID, or anyPolicy by
// openssl's short or long name. It returns the dotted form.
func ParsePolicyOID(s string) (string, bool) {
	if s == "anyPolicy" || s == "X509v3 Any Policy" {
		return anyPolicy, true
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return "", false
	}
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" || (len(p) > 1 && p[0] == '0') {
			return "", false
		}
		if i == 0 && p != "0" && p != "1" && p != "2" {
			return "", false
		}
	}
	return s, true
}
