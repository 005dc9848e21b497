package toe

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// contextValues are the `{{ context:<key> }}` values fixed for a run;
// phase, step, date, dateTime and uuid are computed where used.
func contextValues(executionID string, environ []string) map[string]string {
	getenv := func(k string) string {
		for _, kv := range environ {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	}
	host, _ := os.Hostname()
	osName, osVersion := osRelease("/etc/os-release")
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	return map[string]string{
		"executionId": executionID,
		"accountId":   getenv("AWS_ACCOUNT_ID"),
		"region":      region,
		"osPlatform":  runtime.GOOS,
		"osName":      osName,
		"osVersion":   osVersion,
		"hostname":    host,
	}
}

// osRelease reads NAME and VERSION_ID from an os-release file.
func osRelease(path string) (name, version string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "NAME":
			name = v
		case "VERSION_ID":
			version = v
		}
	}
	return name, version
}
