//go:build !race

package mnist_test

const underRace = false
