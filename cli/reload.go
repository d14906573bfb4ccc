package cli

import (
	"context"
	"crypto/sha256"
	"os"
	"time"
)

// configPollEvery is how often `run` looks at the config file for changes.
// Polling (rather than inotify) also catches editors that save by renaming a
// new file over the old one, and costs one stat a second.
const configPollEvery = time.Second

// watchesPollEvery is how often herald run looks for watches changed by
// another process (herald watches rm) or by a chat pausing or moving.
const watchesPollEvery = time.Second

// fileVersion identifies one content of a file; ok is false when it cannot be read.
type fileVersion struct {
	ok      bool
	size    int64
	modTime time.Time
	sum     [sha256.Size]byte
}

func readVersion(path string) fileVersion {
	fi, err := os.Stat(path)
	if err != nil {
		return fileVersion{}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fileVersion{}
	}
	return fileVersion{ok: true, size: fi.Size(), modTime: fi.ModTime(), sum: sha256.Sum256(data)}
}

// watchFile sends on changed whenever path's content differs from last,
// until ctx ends. A file that disappears for a moment (an editor's rename) is
// not a change; its reappearance with new content is.
func watchFile(ctx context.Context, path string, last fileVersion, every time.Duration, changed chan<- struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(path)
		if err != nil {
			continue
		}
		if last.ok && fi.Size() == last.size && fi.ModTime().Equal(last.modTime) {
			continue
		}
		v := readVersion(path)
		if !v.ok || (last.ok && v.sum == last.sum) {
			last = v
			continue
		}
		last = v
		select {
		case changed <- struct{}{}:
		default:
		}
	}
}
