//go:build race

package web_test

// raceOn skips the year of seeding under the race detector: it takes a
// minute there and measures nothing the race detector looks at.
const raceOn = true
