//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// fileOwner is a file's owner and group.
type fileOwner struct{ uid, gid int }

// ownerOf returns the owner and group of the file fi describes.
func ownerOf(fi fs.FileInfo) (fileOwner, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileOwner{}, false
	}
	return fileOwner{int(st.Uid), int(st.Gid)}, true
}

// links is the number of hard links to the file fi describes.
func links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// chownFile gives f the owner o.
func chownFile(f *os.File, o fileOwner) error { return f.Chown(o.uid, o.gid) }

// canWrite reports whether this process may write path (access(2), which
// answers for the real user, as a service would run).
func canWrite(path string) bool { return syscall.Access(path, 0x2 /* W_OK */) == nil }

// lockFile takes the exclusive advisory lock beside target, waiting for
// other writers, and returns how to release it. A lock file it creates gets
// the config's owner and group, so that the other users who edit the config
// can lock it too.
func lockFile(target string, fi fs.FileInfo) (func(), error) {
	path := lockPath(target)
	// flock needs only a descriptor, so a lock file created by another user
	// can be locked read-only.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot edit the config %s: opening its lock file %s: %w; the folder must be writable and the lock file readable by the user herald runs as", target, path, unwrapPathError(err))
	}
	if o, ok := ownerOf(fi); ok {
		_ = f.Chown(o.uid, o.gid) // best effort: only root or the owner can
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot edit the config %s: locking %s: %w", target, path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
