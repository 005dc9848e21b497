package toedoc

// SecretVars are the environment variables whose values `toe run` never
// writes: AWSTOE writes whatever a step prints, ibgitops replaces these
// values in console.log, stderr, application.log, detailedoutput.json,
// chaining.json and document.yaml. More names come from
// toe.Options.SecretVars (--secret-vars) and IBGITOPS_SECRET_VARS=NAME,NAME.
var SecretVars = []string{
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "INPUT_TOKEN",
	"IBGITOPS_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "ACTIONS_RUNTIME_TOKEN",
}
