package dn

import "github.com/tlskit/tlskit/internal/lazy"

// attrName holds OpenSSL's short and long names for an attribute type.
type attrName struct{ sn, ln string }

// attrNames maps dotted OIDs to the names OpenSSL 3.0 prints for them. The
// list covers the attribute types seen in certificate names; any other OID
// is printed in dotted form, as OpenSSL does for OIDs it does not know.
var attrNames = lazy.Value[map[string]attrName]{Build: func() map[string]attrName {
	return map[string]attrName{
		"2.5.4.3":  {"CN", "commonName"},
		"2.5.4.4":  {"SN", "surname"},
		"2.5.4.5":  {"serialNumber", "serialNumber"},
		"2.5.4.6":  {"C", "countryName"},
		"2.5.4.7":  {"L", "localityName"},
		"2.5.4.8":  {"ST", "stateOrProvinceName"},
		"2.5.4.9":  {"street", "streetAddress"},
		"2.5.4.10": {"O", "organizationName"},
		"2.5.4.11": {"OU", "organizationalUnitName"},
		"2.5.4.12": {"title", "title"},
		"2.5.4.13": {"description", "description"},
		"2.5.4.14": {"searchGuide", "searchGuide"},
		"2.5.4.15": {"businessCategory", "businessCategory"},
		"2.5.4.16": {"postalAddress", "postalAddress"},
		"2.5.4.17": {"postalCode", "postalCode"},
		"2.5.4.18": {"postOfficeBox", "postOfficeBox"},
		"2.5.4.19": {"physicalDeliveryOfficeName", "physicalDeliveryOfficeName"},
		"2.5.4.20": {"telephoneNumber", "telephoneNumber"},
		"2.5.4.41": {"name", "name"},
		"2.5.4.42": {"GN", "givenName"},
		"2.5.4.43": {"initials", "initials"},
		"2.5.4.44": {"generationQualifier", "generationQualifier"},
		"2.5.4.45": {"x500UniqueIdentifier", "x500UniqueIdentifier"},
		"2.5.4.46": {"dnQualifier", "dnQualifier"},
		"2.5.4.65": {"pseudonym", "pseudonym"},
		"2.5.4.72": {"role", "role"},
		"2.5.4.97": {"organizationIdentifier", "organizationIdentifier"},

		"1.2.840.113549.1.9.1": {"emailAddress", "emailAddress"},
		"1.2.840.113549.1.9.2": {"unstructuredName", "unstructuredName"},
		"1.2.840.113549.1.9.8": {"unstructuredAddress", "unstructuredAddress"},

		"0.9.2342.19200300.100.1.1":  {"UID", "userId"},
		"0.9.2342.19200300.100.1.3":  {"mail", "rfc822Mailbox"},
		"0.9.2342.19200300.100.1.25": {"DC", "domainComponent"},

		"1.3.6.1.4.1.311.60.2.1.1": {"jurisdictionL", "jurisdictionLocalityName"},
		"1.3.6.1.4.1.311.60.2.1.2": {"jurisdictionST", "jurisdictionStateOrProvinceName"},
		"1.3.6.1.4.1.311.60.2.1.3": {"jurisdictionC", "jurisdictionCountryName"},
	}
}}
