//go:build race

package mnist_test

// underRace: the race detector slows training tenfold.
const underRace = true
