package opt

import "math"

// Atoi reads a number as C's atoi does in glibc, where openssl reads
// some option and configuration values with it: leading white space
// (isspace), an optional sign, then the leading decimal digits, anything
// after them ignored; 0 when there are none. glibc's atoi is
// (int)strtol(s, NULL, 10): strtol saturates at the long's range, and
// the conversion to a 32-bit int keeps the low 32 bits.
func Atoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	// The magnitude saturates one past MaxInt64 so that a negative
	// value can reach MinInt64 as strtol's does.
	const limit = uint64(math.MaxInt64) + 1
	var n uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (limit-d)/10 {
			n = limit
			continue
		}
		n = n*10 + d
	}
	var l int64
	switch {
	case neg:
		l = int64(-n) // -limit wraps to MinInt64, as strtol's LONG_MIN
	case n >= limit:
		l = math.MaxInt64
	default:
		l = int64(n)
	}
	return int32(l)
}
