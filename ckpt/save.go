package ckpt

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gomlp/gomlp/internal/regular"
)

// ErrNotDurable is wrapped by a Save error that comes after the new file was
// renamed into place: the file is complete, but syncing its directory failed,
// so a power loss could still bring back the old one.
var ErrNotDurable = errors.New("checkpoint may not survive a power loss")

// staleAge is how long a temporary file must have been left untouched before
// Save considers removing it, and then only if no process holds its lock: a
// live save holds the lock and keeps writing, so the age only covers the
// moment between creating the file and locking it.
const staleAge = time.Minute

// testHook lets tests inject faults and watch the commit steps. All nil in
// normal use.
var testHook struct {
	step    func(step string)         // after each step of the commit
	wrap    func(io.Writer) io.Writer // around the temporary file while writing
	sync    func(f *os.File) error    // replaces f.Sync for the temporary file
	syncDir func(dir string) error    // replaces the directory sync
	remove  func(name string) error   // replaces os.Remove of the temporary file
}

func step(name string) {
	if testHook.step != nil {
		testHook.step(name)
	}
}

// Save writes c to path atomically and durably. It checks c completely
// first (as Encode does; NaN and infinity are refused unless AllowNonFinite
// is given), then writes a temporary file in the same directory, syncs it,
// renames it over path and syncs the directory. A crash at any point leaves
// either the old file or the new one at path, never a mix; a failed Save
// leaves the old file untouched and removes its temporary file.
//
// The temporary file is named ".<base>.tmp-<16 hex digits>": hidden, and not
// a complete checkpoint until it is renamed. Save removes such files left
// behind by crashed saves of the same path once no process holds their lock
// and they are a minute old (on Unix; elsewhere they are left for the user
// to remove, see the package documentation).
//
// Any sync error is final: Save never retries a failed fsync, since the
// kernel may have dropped the unwritten data. If path exists and is not a
// regular file (a directory, a device such as /dev/null, a named pipe; a
// symbolic link is followed to tell), Save refuses it before writing
// anything. If path is a symbolic link to a regular file, the link itself is
// replaced. The new file gets the permissions os.Create would
// give it. On Windows the directory is not synced (it cannot be).
//
// The tensors must not be modified while Save runs.
func Save(path string, c *Checkpoint, opts ...SaveOption) error {
	if err := regular.CheckDestination(path); err != nil {
		return fmt.Errorf("ckpt: save: %w", err)
	}
	o := saveOptions(opts)
	l, err := plan(c, o)
	if err != nil {
		return err
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	f, tmp, err := createTemp(dir, base)
	if err != nil {
		return fmt.Errorf("ckpt: save %s: %w", path, err)
	}
	step("created")
	renamed := false
	defer func() {
		if !renamed {
			f.Close() // may fail a second time; the first error is already reported
			remove := os.Remove
			if testHook.remove != nil {
				remove = testHook.remove
			}
			remove(tmp)
		}
	}()
	lockTemp(f) // marks the temporary file as in use for other processes' cleanup

	var w io.Writer = f
	if testHook.wrap != nil {
		w = testHook.wrap(w)
	}
	if err := l.write(w); err != nil {
		return fmt.Errorf("ckpt: save %s: %w", path, err)
	}
	step("written")
	sync := (*os.File).Sync
	if testHook.sync != nil {
		sync = testHook.sync
	}
	if err := sync(f); err != nil {
		return fmt.Errorf("ckpt: save %s: sync: %w", path, err)
	}
	step("synced")
	if err := f.Close(); err != nil {
		return fmt.Errorf("ckpt: save %s: close: %w", path, err)
	}
	step("closed")
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ckpt: save %s: %w", path, err)
	}
	renamed = true
	step("renamed")
	syncDir := syncDirectory
	if testHook.syncDir != nil {
		syncDir = testHook.syncDir
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("ckpt: %s was written, but syncing directory %s failed: %w: %w", path, dir, ErrNotDurable, err)
	}
	step("dir synced")
	removeStaleTemps(dir, base)
	return nil
}

// tempPrefix is the start of every temporary file name for base. Long names
// are shortened (at a character boundary) so the result fits in 255 bytes.
func tempPrefix(base string) string {
	const maxBase = 200
	if len(base) > maxBase {
		cut := maxBase
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return "." + base + ".tmp-"
}

func createTemp(dir, base string) (*os.File, string, error) {
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf("%s%016x", tempPrefix(base), rand.Uint64()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", errors.New("cannot create a unique temporary file")
}

func syncDirectory(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// isTempName reports whether name is one of Save's temporary files for base.
func isTempName(name, base string) bool {
	suffix, ok := strings.CutPrefix(name, tempPrefix(base))
	if !ok || len(suffix) != 16 {
		return false
	}
	for _, r := range suffix {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// removeStaleTemps removes temporary files of earlier, crashed saves of base.
// It is best effort: errors are ignored, and a file is removed only if it is
// old and nobody holds its lock.
func removeStaleTemps(dir, base string) {
	if !canTellLiveTemps {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name(), base) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < staleAge {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if abandoned(name) {
			os.Remove(name)
		}
	}
}
