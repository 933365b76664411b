//go:build !race

package engine

// raceBuild reports a build with the race detector, whose instrumentation
// changes the frame sizes TestServerHandshakeStack measures.
const raceBuild = false
