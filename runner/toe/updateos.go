package toe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() {
	register("UpdateOS", module{run: updateOS})
}

// packageManagers in detection order: the first found on PATH is used.
var packageManagers = []string{"apt-get", "dnf", "yum", "zypper", "apk"}

// lookPathIn finds name on the PATH of environ (not the executor's own).
func lookPathIn(environ []string, name string) (string, bool) {
	pathVar := os.Getenv("PATH")
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// updateCommands returns the commands that install updates with manager:
// every update, or only include, never exclude.
func updateCommands(manager string, include, exclude []string) ([][]string, error) {
	switch manager {
	case "apt-get":
		cmds := [][]string{{"apt-get", "update"}}
		if len(exclude) > 0 {
			cmds = append(cmds, append([]string{"apt-mark", "hold"}, exclude...))
		}
		if len(include) > 0 {
			cmds = append(cmds, append([]string{"apt-get", "install", "-y", "--only-upgrade"}, include...))
		} else {
			cmds = append(cmds, []string{"apt-get", "upgrade", "-y"})
		}
		if len(exclude) > 0 {
			cmds = append(cmds, append([]string{"apt-mark", "unhold"}, exclude...))
		}
		return cmds, nil
	case "dnf", "yum":
		cmd := []string{manager, "update", "-y"}
		for _, x := range exclude {
			cmd = append(cmd, "--exclude="+x)
		}
		return [][]string{append(cmd, include...)}, nil
	case "zypper":
		var cmds [][]string
		if len(exclude) > 0 {
			cmds = append(cmds, append([]string{"zypper", "--non-interactive", "addlock"}, exclude...))
		}
		cmds = append(cmds, append([]string{"zypper", "--non-interactive", "update"}, include...))
		if len(exclude) > 0 {
			cmds = append(cmds, append([]string{"zypper", "--non-interactive", "removelock"}, exclude...))
		}
		return cmds, nil
	case "apk":
		if len(exclude) > 0 && len(include) == 0 {
			return nil, fmt.Errorf("UpdateOS with apk cannot exclude packages from a full upgrade: list the packages to update in include instead")
		}
		return [][]string{{"apk", "update"}, append([]string{"apk", "upgrade"}, include...)}, nil
	}
	return nil, fmt.Errorf("unknown package manager %s", manager)
}

func updateOS(ctx context.Context, e *env, in any) (output, error) {
	m, err := single(in)
	if err != nil {
		return nil, err
	}
	include, err := optStringList(m, "include")
	if err != nil {
		return nil, err
	}
	exclude, err := optStringList(m, "exclude")
	if err != nil {
		return nil, err
	}
	manager := ""
	for _, pm := range packageManagers {
		if _, ok := lookPathIn(e.environ, pm); ok {
			manager = pm
			break
		}
	}
	if manager == "" {
		return nil, fmt.Errorf("UpdateOS found no package manager (%s) on PATH: install one or drop the step", strings.Join(packageManagers, ", "))
	}
	cmds, err := updateCommands(manager, include, exclude)
	if err != nil {
		return nil, err
	}
	environ := append(append([]string(nil), e.environ...), "DEBIAN_FRONTEND=noninteractive")
	for _, c := range cmds {
		fmt.Fprintf(e.console, "+ %s\n", strings.Join(c, " "))
		if full, ok := lookPathIn(environ, c[0]); ok {
			c = append([]string{full}, c[1:]...)
		}
		if _, err := runProcess(ctx, e, "", environ, c); err != nil {
			return nil, fmt.Errorf("UpdateOS: %s: %w", strings.Join(c, " "), err)
		}
	}
	return nil, nil
}
