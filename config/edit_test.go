//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const editBase = "# feeds to watch\nfeeds:\n  - name: wire\n    url: feed.xml\nrules: []\n"

// addLine is an edit that appends a line to the file, as feeds add does.
func addLine(line string) func(*Config, []byte) ([]byte, error) {
	return func(_ *Config, data []byte) ([]byte, error) {
		return append(append([]byte{}, data...), line...), nil
	}
}

func stat(t *testing.T, path string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

func TestEditKeepsTheFilesIdentity(t *testing.T) {
	t.Run("mode owner and group", func(t *testing.T) {
		p := write(t, editBase)
		if err := os.Chmod(p, 0o600); err != nil {
			t.Fatal(err)
		}
		uid, gid := os.Getuid(), os.Getgid()
		if os.Getuid() == 0 {
			// As root, give the file to a service user, as a deployment does.
			uid, gid = 4321, 4322
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
		before := stat(t, p)
		if err := Edit(p, noEnv, "a comment", addLine("# added\n")); err != nil {
			t.Fatal(err)
		}
		after := stat(t, p)
		if after.Mode&0o7777 != 0o600 || int(after.Uid) != uid || int(after.Gid) != gid {
			t.Errorf("after the edit: mode %o uid %d gid %d, want 600 %d %d", after.Mode&0o7777, after.Uid, after.Gid, uid, gid)
		}
		if before.Mode&0o7777 != after.Mode&0o7777 {
			t.Errorf("mode changed from %o to %o", before.Mode&0o7777, after.Mode&0o7777)
		}
		if got := mustReadFile(t, p); got != editBase+"# added\n" {
			t.Errorf("content:\n%s", got)
		}
	})
	t.Run("through a symlink", func(t *testing.T) {
		const web = "feeds:\n  - name: wire\n    url: https://example.org/rss\n"
		p := write(t, web)
		link := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.Symlink(p, link); err != nil {
			t.Fatal(err)
		}
		if err := Edit(link, noEnv, "a comment", addLine("# added\n")); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
		}
		if got := mustReadFile(t, p); got != web+"# added\n" {
			t.Errorf("the target was not changed:\n%s", got)
		}
		// The lock file sits beside the target, where every path to it meets.
		if _, err := os.Stat(lockPath(p)); err != nil {
			t.Errorf("no lock file beside the target: %v", err)
		}
	})
	t.Run("hard links", func(t *testing.T) {
		p := write(t, editBase)
		other := filepath.Join(filepath.Dir(p), "also.yaml")
		if err := os.Link(p, other); err != nil {
			t.Fatal(err)
		}
		ino := stat(t, p).Ino
		if err := Edit(p, noEnv, "a comment", addLine("# added\n")); err != nil {
			t.Fatal(err)
		}
		if got := mustReadFile(t, other); got != editBase+"# added\n" {
			t.Errorf("the other link does not see the edit:\n%s", got)
		}
		if st := stat(t, p); st.Ino != ino || st.Nlink != 2 {
			t.Errorf("inode %d links %d, want %d and 2", st.Ino, st.Nlink, ino)
		}
		if _, err := os.Stat(backupPath(p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the backup is left behind: %v", err)
		}
		// A shorter text truncates what was there.
		if err := Edit(p, noEnv, "a shorter text", func(_ *Config, data []byte) ([]byte, error) { return []byte(editBase), nil }); err != nil {
			t.Fatal(err)
		}
		if got := mustReadFile(t, other); got != editBase {
			t.Errorf("after shortening:\n%q", got)
		}
	})
}

func TestEditRefusesAndChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, p string)
		edit  func(*Config, []byte) ([]byte, error)
		want  []string
	}{
		{
			name:  "read-only file",
			setup: func(t *testing.T, p string) { chmod(t, p, 0o444) },
			edit:  addLine("# added\n"),
			want:  []string{"is read-only (mode 0444)", "chmod u+w", "config.yaml"},
		},
		{
			name:  "folder not writable",
			setup: func(t *testing.T, p string) { chmod(t, filepath.Dir(p), 0o555) },
			edit:  addLine("# added\n"),
			want:  []string{"is not writable (mode 0555)", "make the folder writable"},
		},
		{
			name: "the result does not load",
			edit: func(_ *Config, data []byte) ([]byte, error) {
				return []byte(strings.Replace(string(data), "rules:", "  - name: Wire\n    url: feed.xml\nrules:", 1)), nil
			},
			want: []string{"would not load with the change, so it was left as it was", "config.yaml:5:11:", "names must be unique"},
		},
		{
			name: "the edit fails",
			edit: func(*Config, []byte) ([]byte, error) { return nil, errors.New("no room for it") },
			want: []string{"no room for it"},
		},
		{
			name:  "the config does not load now",
			setup: func(t *testing.T, p string) { writeFile(t, p, editBase+"bogus: 1\n") },
			edit:  addLine("# added\n"),
			want:  []string{"does not load now", "fix it first", `unknown key "bogus"`},
		},
		{
			name:  "an earlier edit was interrupted",
			setup: func(t *testing.T, p string) { writeFile(t, backupPath(p), "old text") },
			edit:  addLine("# added\n"),
			want:  []string{"an earlier edit was interrupted", ".config.yaml.herald-backup", "delete"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, editBase)
			if tc.setup != nil {
				tc.setup(t, p)
			}
			before := mustReadFile(t, p)
			ino := stat(t, p).Ino
			dirBefore := listDir(t, filepath.Dir(p))
			err := Edit(p, noEnv, "the change", tc.edit)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if got := mustReadFile(t, p); got != before || stat(t, p).Ino != ino {
				t.Errorf("the file changed:\n%q\nwas\n%q", got, before)
			}
			// Nothing left beside it but the lock file.
			for _, name := range listDir(t, filepath.Dir(p)) {
				if !contains(dirBefore, name) && name != "."+filepath.Base(p)+".lock" {
					t.Errorf("left behind: %s", name)
				}
			}
		})
	}
}

func TestEditUnchangedTextWritesNothing(t *testing.T) {
	p := write(t, editBase)
	ino := stat(t, p).Ino
	if err := Edit(p, noEnv, "nothing", func(_ *Config, data []byte) ([]byte, error) { return data, nil }); err != nil {
		t.Fatal(err)
	}
	if stat(t, p).Ino != ino {
		t.Error("the file was replaced though nothing changed")
	}
}

func TestEditSeesTheConfigAsItIsNow(t *testing.T) {
	p := write(t, editBase)
	var names []string
	err := Edit(p, noEnv, "x", func(cur *Config, data []byte) ([]byte, error) {
		for _, f := range cur.Feeds {
			names = append(names, f.Name)
		}
		return data, nil
	})
	if err != nil || strings.Join(names, ",") != "wire" {
		t.Errorf("edit saw feeds %v (err %v)", names, err)
	}
}

func TestWebURL(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"https://example.org/feed", "https://example.org/feed", ""},
		{"HTTPS://Example.ORG/Feed?Q=A", "https://example.org/Feed?Q=A", ""},
		{"  http://example.org/rss \n", "http://example.org/rss", ""},
		{"https://example.org/a b", "", "space"},
		{"ftp://example.org/", "", "not an http(s) URL"},
		{"feed.xml", "", "not an http(s) URL"},
		{"https:///path", "", "names no host"},
		{"", "", "empty"},
	} {
		got, err := WebURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("WebURL(%q) = %q, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("WebURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestConfigURLsIgnoreCaseAndSpaces(t *testing.T) {
	cfg, err := Load(write(t, "feeds:\n  - name: a\n    url: ' HTTPS://Example.org/feed '\n  - name: b\n    url: FILE://"+"feed.xml\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Feeds[0].URL != "https://example.org/feed" {
		t.Errorf("url read as %q", cfg.Feeds[0].URL)
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(p, 0o755) })
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
