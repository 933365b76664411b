// Package lazy holds package-level values built the first time they are
// used instead of when the program starts. A Value whose Build is a func
// literal capturing nothing is laid out by the linker: no init code, no
// allocation, no page touched until Get, so a table a run never reads (the
// s_server option tables in an s_client run, every table in `tlskit
// version`) costs it nothing. sync.OnceValue in a package-level var, by
// contrast, is a call that runs at start-up.
package lazy

import "sync"

// Value is a T built by Build on the first Get. Declare it as a
// package-level var:
//
//	var names = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
//		return map[uint16]string{1: "one"}
//	}}
type Value[T any] struct {
	Build func() T
	once  sync.Once
	v     T
}

// Get returns the value, building it on the first call. It is safe for
// concurrent use; a Build that panics panics every Get (sync.Once).
func (l *Value[T]) Get() T {
	l.once.Do(func() { l.v = l.Build() })
	return l.v
}

// Values is Value for a Build with two results, as sync.OnceValues is for
// sync.OnceValue.
type Values[T1, T2 any] struct {
	Build func() (T1, T2)
	once  sync.Once
	v1    T1
	v2    T2
}

// Get returns the two values, building them on the first call. It is safe
// for concurrent use.
func (l *Values[T1, T2]) Get() (T1, T2) {
	l.once.Do(func() { l.v1, l.v2 = l.Build() })
	return l.v1, l.v2
}
