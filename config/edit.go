package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Edit is the one way herald changes a config file: `herald feeds add`,
// `herald import`, /feeds add in chat and the write-back of a moved feed's
// URL all go through it, so that writers in different processes never lose
// each other's changes.
//
// It takes an advisory lock (flock) on a lock file beside the config's real
// file (".NAME.lock", kept after use: deleting a lock file lets two writers
// lock two different files), re-reads and loads the file under the lock,
// and hands edit the config as it is now and its text. edit returns the new
// text, changing only the lines it must; Edit checks that the new text
// loads (what names the change in the error when it does not) and writes it
// back keeping the file's identity: its mode, owner and group, written
// through a symlink to its target, hard links kept. On any error the file
// is left byte for byte as it was.
//
// A file that is read-only, or whose folder is not writable (the lock file
// and the new text are written there), is refused before anything is
// changed, with what to do about it.
func Edit(path string, getenv func(string) string, what string, edit func(cur *Config, data []byte) ([]byte, error)) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: %w; check the path given with -config", path, unwrapPathError(err))
	}
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: %w", target, unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("cannot edit the config %s: it is not a regular file; edit it by hand", target)
	}
	if err := checkWritable(target, fi); err != nil {
		return err
	}
	unlock, err := lockFile(target, fi)
	if err != nil {
		return err
	}
	defer unlock()
	backup := backupPath(target)
	if _, err := os.Lstat(backup); err == nil {
		return fmt.Errorf("cannot edit the config %s: an earlier edit was interrupted while writing it, and %s holds the text from before that edit; compare the two, keep the right one as the config, then delete %s", path, backup, backup)
	}
	// Re-read under the lock: another writer may have changed the file
	// since the caller looked at it.
	data, err := os.ReadFile(target)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: %w", path, unwrapPathError(err))
	}
	fi, err = os.Stat(target)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: %w", path, unwrapPathError(err))
	}
	cur, err := Parse(path, data, getenv)
	if err != nil {
		return fmt.Errorf("the config does not load now, so herald does not change it; fix it first (herald check):\n%w", err)
	}
	out, err := edit(cur, data)
	if err != nil {
		return err
	}
	if bytes.Equal(out, data) {
		return nil
	}
	if _, err := Parse(path, out, getenv); err != nil {
		return fmt.Errorf("the config would not load with %s, so it was left as it was:\n%w", what, err)
	}
	return writeKeeping(target, fi, out)
}

// checkWritable refuses a config that herald cannot, or should not, write:
// one without any write permission (someone made it read-only on purpose;
// root could write it anyway), one this process may not write, and one in a
// folder where the lock file and the new text cannot be created.
func checkWritable(target string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o222 == 0 || !canWrite(target) {
		return fmt.Errorf("cannot edit the config %s: the file is read-only (mode %04o) for herald; make it writable (chmod u+w %s) or change it by hand", target, fi.Mode().Perm(), target)
	}
	dir := filepath.Dir(target)
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: its folder: %w", target, unwrapPathError(err))
	}
	if di.Mode().Perm()&0o222 == 0 || !canWrite(dir) {
		return fmt.Errorf("cannot edit the config %s: its folder %s is not writable (mode %04o), and herald writes its lock file and the new text there; make the folder writable for the user herald runs as, or change the config by hand", target, dir, di.Mode().Perm())
	}
	return nil
}

// lockPath is the lock file beside the config's real file.
func lockPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".lock")
}

// backupPath holds the config's previous text while it is written in place.
func backupPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".herald-backup")
}

// writeKeeping writes data as the content of the file at target, keeping
// what makes it the same file to its users.
//
// Two ways, chosen per file:
//
//   - The usual case, a file with one link whose owner, group and mode a new
//     file can be given: the text goes to a temporary file in the same
//     folder, which is synced, given the old file's mode, owner and group,
//     and renamed over it; the folder is then synced. A crash at any moment
//     leaves either the old file or the new one, and a running herald that
//     reads the config never sees half of it.
//   - A file with hard links, or one whose owner or group this process
//     cannot give a new file (a service user editing a file root owns but
//     lets its group write): a rename would break the links or change the
//     owner, so the text is written in place, into the same inode. To keep
//     that crash-safe, the old text is first written and synced to a backup
//     beside it (see backupPath), removed once the new text is synced; a
//     crash in between leaves the backup, and the next Edit refuses until
//     someone has looked (the file may be half written). A reader may see
//     the file half written for that moment; herald's reload keeps the old
//     config when the new one does not load and reloads at the next change.
func writeKeeping(target string, fi fs.FileInfo, data []byte) error {
	owner, hasOwner := ownerOf(fi)
	if links(fi) <= 1 {
		done, err := replaceByRename(target, fi, owner, hasOwner, data)
		if done || err != nil {
			return err
		}
	}
	return writeInPlace(target, data)
}

// replaceByRename writes data to a new file and renames it over target. It
// reports done=false, having changed nothing, when the new file cannot be
// given target's owner and group.
func replaceByRename(target string, fi fs.FileInfo, owner fileOwner, hasOwner bool, data []byte) (done bool, err error) {
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".new-*")
	if err != nil {
		return false, fmt.Errorf("cannot edit the config %s: writing the new text beside it: %w; make its folder writable", target, unwrapPathError(err))
	}
	name := tmp.Name()
	defer func() {
		if !done || err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if hasOwner {
		if err := chownFile(tmp, owner); err != nil {
			return false, nil // not ours to give: write in place instead
		}
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		return false, fmt.Errorf("cannot edit the config %s: %w", target, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return false, fmt.Errorf("cannot edit the config %s: writing the new text: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("cannot edit the config %s: writing the new text: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("cannot edit the config %s: writing the new text: %w", target, err)
	}
	if err := os.Rename(name, target); err != nil {
		return false, fmt.Errorf("cannot edit the config %s: %w", target, unwrapPathError(err))
	}
	syncDir(dir)
	return true, nil
}

// writeInPlace overwrites the file at target with data, through a synced
// backup of its old text (see writeKeeping).
func writeInPlace(target string, data []byte) error {
	old, err := os.ReadFile(target)
	if err != nil {
		return fmt.Errorf("cannot edit the config %s: %w", target, unwrapPathError(err))
	}
	backup := backupPath(target)
	if err := writeSynced(backup, old); err != nil {
		os.Remove(backup)
		return fmt.Errorf("cannot edit the config %s: saving its text to %s first: %w; make its folder writable", target, backup, unwrapPathError(err))
	}
	syncDir(filepath.Dir(target))
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		os.Remove(backup)
		return fmt.Errorf("cannot edit the config %s: %w", target, unwrapPathError(err))
	}
	restore := func(cause error) error {
		// Put the old text back; keep the backup if even that fails.
		if _, err := f.WriteAt(old, 0); err == nil && f.Truncate(int64(len(old))) == nil && f.Sync() == nil {
			f.Close()
			os.Remove(backup)
			return fmt.Errorf("cannot edit the config %s: %w; it was left as it was", target, cause)
		}
		f.Close()
		return fmt.Errorf("cannot edit the config %s: %w; its text from before is in %s", target, cause, backup)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return restore(err)
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return restore(err)
	}
	if err := f.Sync(); err != nil {
		return restore(err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot edit the config %s: %w; its text from before is in %s", target, err, backup)
	}
	if err := os.Remove(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the config %s was written, but its backup %s could not be removed: %w; delete it by hand", target, backup, err)
	}
	return nil
}

// writeSynced creates the file at path with data, synced to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename or a new file in dir durable. Errors are ignored:
// some file systems cannot sync a folder, and the data itself is synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
