package opt

import "testing"

// TestAtoi: the values glibc's atoi gives (checked with a C program on
// this machine's glibc: (int)strtol, saturated, then truncated).
func TestAtoi(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int32
	}{
		{"", 0}, {"abc", 0}, {"12", 12}, {" \t\n\v\f\r7x", 7}, {"+5", 5}, {"-5", -5},
		{"--5", 0}, {"- 5", 0}, {"0012", 12}, {"65535", 65535}, {"65536", 65536},
		{"2147483647", 2147483647}, {"2147483648", -2147483648}, {"4294967296", 0},
		{"4294967297", 1}, {"99999999999999999999", -1}, {"-99999999999999999999", 0},
		{"9223372036854775807", -1}, {"9223372036854775808", -1}, {"-9223372036854775808", 0},
	} {
		if got := Atoi(c.in); got != c.want {
			t.Errorf("Atoi(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
