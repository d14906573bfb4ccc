//go:build race

package store

// underRace scales the heaviest tests down: the race detector makes SQLite,
// which is C translated to Go, some twenty times slower.
const underRace = true
