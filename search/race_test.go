//go:build race

package search_test

// underRace scales the property test down: the race detector makes SQLite,
// which is C translated to Go, some twenty times slower.
const underRace = true
