package toe

import (
	"fmt"
	"os"
	"runtime"
)

// fillCreateModes gives CreateFile and CreateFolder items without
// permissions the mode the umask leaves (0666 &^ umask for files, 0777 &^
// umask for folders): AWSTOE's docs say such a file gets "permissions
// defined by the default umask value of the operating system". Filling
// it in makes detailedoutput.json record the mode the path really gets,
// and the module applies it exactly, also to a file that already existed.
func fillCreateModes(action string, v any) any {
	var base os.FileMode
	switch action {
	case "CreateFile":
		base = 0o666
	case "CreateFolder":
		base = 0o777
	default:
		return v
	}
	if runtime.GOOS == "windows" {
		return v
	}
	mode := fmt.Sprintf("%04o", base&^processUmask())
	items, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok || m["permissions"] != nil {
			out[i] = item
			continue
		}
		c := make(map[string]any, len(m)+1)
		for k, x := range m {
			c[k] = x
		}
		c["permissions"] = mode
		out[i] = c
	}
	return out
}
