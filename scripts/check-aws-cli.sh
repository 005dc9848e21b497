#!/usr/bin/env bash
# Drives imagebuilder-fake with the AWS CLI through every Image Builder
# operation ibgitops calls (runner/backend/aws API, plus STS), in the order
# a build makes them, and fails on the first call the CLI cannot make or
# parse. The CLI is a client this project did not write: what it accepts
# and reads back, a real client does. Usage: scripts/check-aws-cli.sh
# (needs `aws`; apt-get install awscli). Talks only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v aws >/dev/null || { echo "aws CLI not installed: apt-get install -y awscli" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/fake" ./cmd/imagebuilder-fake
"$tmp/fake" -listen 127.0.0.1:0 >"$tmp/out" 2>&1 &
fake_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^imagebuilder-fake listening on \([^ ]*\).*/\1/p' "$tmp/out")
export AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
ib() { aws --endpoint-url "$url" --output json imagebuilder "$@"; }
ok=0
step() { # step NAME JQ-FREE-CHECK-STRING cmd...
  local name=$1 want=$2; shift 2
  local out
  if ! out=$("$@" 2>&1); then echo "FAIL $name: $out" >&2; exit 1; fi
  if [[ -n $want && $out != *"$want"* ]]; then echo "FAIL $name: no $want in: $out" >&2; exit 1; fi
  echo "ok   $name"; ok=$((ok + 1))
}
acct=123456789012
arn=arn:aws:imagebuilder:us-east-1:$acct
doc='name: hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Say
        action: ExecuteBash
        inputs:
          commands: ["echo hi"]'
step GetCallerIdentity "$acct" aws --endpoint-url "$url" --output json sts get-caller-identity
step CreateComponent "component/hello/1.0.0/1" ib create-component --name hello --semantic-version 1.0.0 --platform Linux --data "$doc" --client-token ibgitops-0123456789abcdef0123456789a --tags ibgitops:content-sha256=abc
step GetComponent '"ibgitops:content-sha256": "abc"' ib get-component --component-build-version-arn "$arn:component/hello/1.0.0"
step ListComponentBuildVersions "component/hello/1.0.0/1" ib list-component-build-versions --component-version-arn "$arn:component/hello/1.0.0"
step CreateImageRecipe "image-recipe/web/1.0.0" ib create-image-recipe --name web --semantic-version 1.0.0 --parent-image arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x --components "componentArn=$arn:component/hello/1.0.0/1"
step GetImageRecipe '"name": "web"' ib get-image-recipe --image-recipe-arn "$arn:image-recipe/web/1.0.0"
step CreateContainerRecipe "container-recipe/app/1.0.0" ib create-container-recipe --name app --semantic-version 1.0.0 --container-type DOCKER --parent-image amazonlinux:2023 --dockerfile-template-data 'FROM {{{ imagebuilder:parentImage }}}' --target-repository service=ECR,repositoryName=app --components "componentArn=$arn:component/hello/1.0.0/1"
step GetContainerRecipe '"name": "app"' ib get-container-recipe --container-recipe-arn "$arn:container-recipe/app/1.0.0"
step CreateInfrastructureConfiguration "infrastructure-configuration/build" ib create-infrastructure-configuration --name build --instance-profile-name ImageBuilderRole
step GetInfrastructureConfiguration '"instanceProfileName": "ImageBuilderRole"' ib get-infrastructure-configuration --infrastructure-configuration-arn "$arn:infrastructure-configuration/build"
step UpdateInfrastructureConfiguration "infrastructure-configuration/build" ib update-infrastructure-configuration --infrastructure-configuration-arn "$arn:infrastructure-configuration/build" --instance-profile-name OtherRole
step ListInfrastructureConfigurations '"name": "build"' ib list-infrastructure-configurations
step CreateDistributionConfiguration "distribution-configuration/dist" ib create-distribution-configuration --name dist --distributions '[{"region":"us-east-1","amiDistributionConfiguration":{"name":"web-{{ imagebuilder:buildDate }}"}}]'
step GetDistributionConfiguration '"region": "us-east-1"' ib get-distribution-configuration --distribution-configuration-arn "$arn:distribution-configuration/dist"
step UpdateDistributionConfiguration "distribution-configuration/dist" ib update-distribution-configuration --distribution-configuration-arn "$arn:distribution-configuration/dist" --distributions '[{"region":"us-east-1"},{"region":"eu-west-1"}]'
step ListDistributionConfigurations '"name": "dist"' ib list-distribution-configurations
step CreateImagePipeline "image-pipeline/web-pipeline" ib create-image-pipeline --name web-pipeline --image-recipe-arn "$arn:image-recipe/web/1.0.0" --infrastructure-configuration-arn "$arn:infrastructure-configuration/build" --distribution-configuration-arn "$arn:distribution-configuration/dist" --schedule 'scheduleExpression=cron(0 3 ? * MON *),pipelineExecutionStartCondition=EXPRESSION_MATCH_ONLY'
step GetImagePipeline '"name": "web-pipeline"' ib get-image-pipeline --image-pipeline-arn "$arn:image-pipeline/web-pipeline"
step UpdateImagePipeline "image-pipeline/web-pipeline" ib update-image-pipeline --image-pipeline-arn "$arn:image-pipeline/web-pipeline" --image-recipe-arn "$arn:image-recipe/web/1.0.0" --infrastructure-configuration-arn "$arn:infrastructure-configuration/build" --distribution-configuration-arn "$arn:distribution-configuration/dist"
step ListImagePipelines '"name": "web-pipeline"' ib list-image-pipelines
step TagResource "" ib tag-resource --resource-arn "$arn:image-pipeline/web-pipeline" --tags ibgitops:content-sha256=def
step StartImagePipelineExecution "image/web/1.0.0/1" ib start-image-pipeline-execution --image-pipeline-arn "$arn:image-pipeline/web-pipeline" --tags ibgitops:build-sha256=123 --client-token ibgitops-abcdef0123456789abcdef01234
step GetImage '"status": "CREATING"' ib get-image --image-build-version-arn "$arn:image/web/1.0.0/1"
step ListWorkflowExecutions "" ib list-workflow-executions --image-build-version-arn "$arn:image/web/1.0.0/1"
for _ in 1 2; do ib get-image --image-build-version-arn "$arn:image/web/1.0.0/1" >/dev/null; done
wf=$(ib list-workflow-executions --image-build-version-arn "$arn:image/web/1.0.0/1" | sed -n 's/.*"workflowExecutionId": "\([^"]*\)".*/\1/p' | head -1)
step ListWorkflowStepExecutions '"name": "LaunchBuildInstance"' ib list-workflow-step-executions --workflow-execution-id "$wf"
step ListImageBuildVersions '"ibgitops:build-sha256": "123"' ib list-image-build-versions --image-version-arn "$arn:image/web/1.0.0"
step CreateImage "image/web/1.0.0/2" ib create-image --image-recipe-arn "$arn:image-recipe/web/1.0.0" --infrastructure-configuration-arn "$arn:infrastructure-configuration/build"
step CancelImageCreation "image/web/1.0.0/2" ib cancel-image-creation --image-build-version-arn "$arn:image/web/1.0.0/2"
# An error as the CLI reads it: the code and the message.
if out=$(ib get-component --component-build-version-arn "$arn:component/nope/1.0.0/1" 2>&1); then echo "FAIL missing component answered: $out" >&2; exit 1; fi
[[ $out == *ResourceNotFoundException* ]] || { echo "FAIL error shape: $out" >&2; exit 1; }
echo "ok   error shape (ResourceNotFoundException)"
echo "$ok operations driven by $(aws --version 2>&1)"
