package ibfake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The states an image moves through on success, in order, as the service
// reports them (ImageStatus): CREATING before the build workflow starts,
// INTEGRATING after distribution, before AVAILABLE.
var imageStates = []string{"PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"}

// The workflows the service runs for an image, with their steps, by the
// state in which they run.
var workflowDefs = []struct {
	state, typ, arnPath string
	steps               []string
}{
	{"BUILDING", "BUILD", "build/build-image/1.0.3/1", []string{"LaunchBuildInstance", "ApplyBuildComponents", "InventoryCollection", "RunSanitizeScript", "CreateOutputAMI", "TerminateBuildInstance"}},
	{"TESTING", "TEST", "test/test-image/1.0.2/1", []string{"LaunchTestInstance", "RunTestComponents", "TerminateTestInstance"}},
	{"DISTRIBUTING", "DISTRIBUTION", "distribution/distribute-image/1.0.0/1", []string{"DistributeImage"}},
}

// imageState is the lifecycle of one image build.
type imageState struct {
	stage      int // index in imageStates, or -1 once FAILED/CANCELLED
	polls      int
	started    time.Time
	enteredAt  time.Time // when the current state began
	holdUntil  time.Time // simulated work keeps the current state until then
	sim        simulation
	failStep   string
	failReason string
	amiNames   map[string]string // by Region, from the distribution (reserveAMINames)
	execs      []*workflowExec
}

type workflowExec struct {
	id, typ, workflowArn, image string
	status, message             string
	start, end                  string
	steps                       []*workflowStep
}

type workflowStep struct {
	id, name, action, status, message, start, end string
}

func (s *Server) startImage(recipe *resource, infraArn, distArn string, pipeline *resource, in map[string]any) (map[string]any, *apiError) {
	infra, err := s.resolve(typeInfrastructure, infraArn)
	if err != nil {
		return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'infrastructureConfigurationArn' is not valid. The resource '%s' does not exist.", infraArn)
	}
	var dist *resource
	if distArn != "" {
		if dist, err = s.resolve(typeDistribution, distArn); err != nil {
			return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'distributionConfigurationArn' is not valid. The resource '%s' does not exist.", distArn)
		}
	}
	build := 1
	for _, im := range s.byType(typeImage) {
		if im.name == recipe.name && im.version == recipe.version && im.build >= build {
			build = im.build + 1
		}
	}
	ver := recipe.versionString()
	img := &resource{typ: typeImage, name: recipe.name, version: recipe.version, build: build, created: s.opts.Now(),
		arn: s.arn(typeImage, recipe.name, ver, strconv.Itoa(build))}
	typ := "AMI"
	if recipe.typ == typeContainerRecipe {
		typ = "DOCKER"
	}
	img.fields = map[string]any{
		"name": recipe.name, "type": typ, "version": ver + "/" + strconv.Itoa(build),
		"platform": recipe.fields["platform"], "osVersion": "Amazon Linux 2023",
		"dateCreated": s.now(), "buildType": "USER_INITIATED", "imageSource": "CUSTOM",
		"infrastructureConfiguration":  infra.object(),
		"enhancedImageMetadataEnabled": true,
		"imageTestsConfiguration":      map[string]any{"imageTestsEnabled": true, "timeoutMinutes": float64(720)},
		"loggingConfiguration":         map[string]any{"logGroupName": "/aws/imagebuilder/" + recipe.name},
	}
	if typ == "AMI" {
		img.fields["imageRecipe"] = recipe.object()
	} else {
		img.fields["containerRecipe"] = recipe.object()
	}
	if dist != nil {
		img.fields["distributionConfiguration"] = dist.object()
	}
	src := in
	if pipeline != nil {
		img.fields["sourcePipelineName"] = pipeline.name
		img.fields["sourcePipelineArn"] = pipeline.arn
		src = pipeline.fields
		img.fields["buildType"] = "USER_INITIATED"
	}
	for _, k := range []string{"imageTestsConfiguration", "enhancedImageMetadataEnabled", "imageScanningConfiguration", "workflows", "executionRole"} {
		if v, ok := src[k]; ok {
			img.fields[k] = v
		}
	}
	if lc, ok := src["loggingConfiguration"].(map[string]any); ok {
		if g, ok := lc["logGroupName"].(string); ok {
			img.fields["loggingConfiguration"] = map[string]any{"logGroupName": g}
		} else if g, ok := lc["imageLogGroupName"].(string); ok {
			img.fields["loggingConfiguration"] = map[string]any{"logGroupName": g}
		}
	}
	tags := map[string]any{}
	if pipeline != nil {
		if it, ok := pipeline.fields["imageTags"].(map[string]any); ok {
			for k, v := range it {
				tags[k] = v
			}
		}
	}
	if t, ok := in["tags"].(map[string]any); ok {
		for k, v := range t {
			tags[k] = v
		}
	}
	img.fields["tags"] = tags
	st := &imageState{started: s.opts.Now(), enteredAt: s.opts.Now(), failStep: s.faults.FailStep, failReason: s.faults.FailReason}
	st.sim = s.simulate(recipe)
	if st.failStep == "" && st.sim.failure != nil {
		st.failStep, st.failReason = st.sim.failure.workflowStep, st.sim.failure.message
	}
	img.image = st
	s.setImageStatus(img, "PENDING", "")
	s.store(img)
	if pipeline != nil {
		pipeline.fields["dateLastRun"] = s.now()
		pipeline.fields["lastRunStatus"] = "PENDING"
	}
	return map[string]any{"imageBuildVersionArn": img.arn, "latestVersionReferences": s.latestRefs(img)}, nil
}

func (s *Server) setImageStatus(img *resource, status, reason string) {
	st := map[string]any{"status": status}
	if reason != "" {
		st["reason"] = reason
	}
	img.fields["state"] = st
	if p, ok := img.fields["sourcePipelineArn"].(string); ok {
		if pr, ok := s.resources[p]; ok {
			pr.fields["lastRunStatus"] = status
		}
	}
}

func (s *Server) imageStatus(img *resource) string {
	return img.fields["state"].(map[string]any)["status"].(string)
}

// tick moves an image on: one state per PollsPerState polls, or one per
// StateDuration; simulated work (`sleep` in a document) holds a state.
func (s *Server) tick(img *resource, poll bool) {
	st := img.image
	if st == nil {
		return
	}
	now := s.opts.Now()
	for st.stage >= 0 && st.stage < len(imageStates)-1 {
		if now.Before(st.holdUntil) {
			return
		}
		if s.opts.StateDuration > 0 {
			if now.Sub(st.enteredAt) < s.opts.StateDuration {
				return
			}
		} else {
			if !poll {
				return
			}
			st.polls++
			if st.polls < s.opts.PollsPerState {
				return
			}
			st.polls = 0
			poll = false // one state per poll
		}
		s.advance(img)
	}
}

// advance moves an image one state on, finishing the workflow of the state
// it leaves and starting the next one.
func (s *Server) advance(img *resource) {
	st := img.image
	now := s.now()
	leaving := imageStates[st.stage]
	if leaving == "DISTRIBUTING" && st.failStep == "" {
		if msg := s.reserveAMINames(img); msg != "" {
			st.failStep, st.failReason = "DistributeImage", msg
		}
	}
	for _, ex := range st.execs {
		if ex.status != "RUNNING" || workflowState(ex.typ) != leaving {
			continue
		}
		failed := false
		for i, step := range ex.steps {
			switch {
			case failed:
				step.status = "SKIPPED"
			case step.name == st.failStep:
				failed = true
				step.status, step.end = "FAILED", now
				if step.start == "" {
					step.start = now
				}
				step.message = st.failReason
				if step.message == "" {
					step.message = fmt.Sprintf("Step %s failed: the command exited with code 1. See the logs in CloudWatch log group %s.", step.name, logGroup(img))
				}
			default:
				step.status, step.end = "COMPLETED", now
				if step.start == "" {
					step.start = now
				}
			}
			_ = i
		}
		ex.end = now
		if failed {
			ex.status = "FAILED"
			ex.message = fmt.Sprintf("Workflow Execution ID: '%s' failed with reason: 'step %s failed'", ex.id, st.failStep)
			st.stage = -1
			s.setImageStatus(img, "FAILED", fmt.Sprintf("Workflow Execution ID: '%s' failed with reason: Step '%s' failed: %s", ex.id, st.failStep, ex.stepMessage(st.failStep)))
			return
		}
		ex.status = "COMPLETED"
	}
	st.stage++
	next := imageStates[st.stage]
	st.enteredAt = s.opts.Now()
	st.holdUntil = st.enteredAt.Add(st.sim.hold[next])
	s.setImageStatus(img, next, "")
	if next == "AVAILABLE" {
		s.publishOutputs(img)
		return
	}
	for _, def := range workflowDefs {
		if def.state != next {
			continue
		}
		if def.typ == "TEST" {
			if tc, ok := img.fields["imageTestsConfiguration"].(map[string]any); ok && tc["imageTestsEnabled"] == false {
				continue
			}
		}
		ex := &workflowExec{id: "wf-" + uuid(), typ: def.typ, image: img.arn, status: "RUNNING", start: now,
			workflowArn: fmt.Sprintf("arn:aws:imagebuilder:%s:aws:workflow/%s", s.opts.Region, def.arnPath)}
		for i, name := range def.steps {
			step := &workflowStep{id: "step-" + uuid(), name: name, action: stepAction(name), status: "PENDING"}
			if i == 0 {
				step.status, step.start = "RUNNING", now
			}
			ex.steps = append(ex.steps, step)
		}
		st.execs = append(st.execs, ex)
		s.execs[ex.id] = ex
	}
}

func (ex *workflowExec) stepMessage(name string) string {
	for _, st := range ex.steps {
		if st.name == name {
			return st.message
		}
	}
	return ""
}

func workflowState(typ string) string {
	for _, d := range workflowDefs {
		if d.typ == typ {
			return d.state
		}
	}
	return ""
}

func stepAction(name string) string {
	switch {
	case strings.HasPrefix(name, "Launch"):
		return "LaunchInstance"
	case strings.HasPrefix(name, "Terminate"):
		return "TerminateInstance"
	case strings.HasPrefix(name, "Apply"), strings.HasPrefix(name, "Run"), name == "InventoryCollection":
		return "ExecuteComponents"
	case name == "CreateOutputAMI":
		return "CreateImage"
	}
	return name
}

func logGroup(img *resource) string {
	if lc, ok := img.fields["loggingConfiguration"].(map[string]any); ok {
		if g, ok := lc["logGroupName"].(string); ok {
			return g
		}
	}
	return "/aws/imagebuilder/" + img.name
}

func (s *Server) publishOutputs(img *resource) {
	var regions []string
	if dc, ok := img.fields["distributionConfiguration"].(map[string]any); ok {
		dists, _ := dc["distributions"].([]any)
		for _, d := range dists {
			regions = append(regions, d.(map[string]any)["region"].(string))
		}
	}
	if len(regions) == 0 {
		regions = []string{s.opts.Region}
	}
	if img.fields["type"] == "DOCKER" {
		repo := arnName(img.name)
		if rec, ok := img.fields["containerRecipe"].(map[string]any); ok {
			if tr, ok := rec["targetRepository"].(map[string]any); ok {
				repo, _ = tr["repositoryName"].(string)
			}
		}
		var containers []any
		for _, region := range regions {
			containers = append(containers, map[string]any{"region": region, "imageUris": []any{
				fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s:%s", s.opts.Account, region, repo, strings.ReplaceAll(img.fields["version"].(string), "/", "-")),
			}})
		}
		img.fields["outputResources"] = map[string]any{"containers": containers}
		return
	}
	var amis []any
	for _, region := range regions {
		id := "ami-" + strings.ReplaceAll(uuid(), "-", "")[:17]
		s.amis[id] = true // a later recipe may build on it
		s.amiOfImage[img.arn+"\x00"+region] = id
		name := img.image.amiNames[region]
		if name == "" { // the service's own name
			name = fmt.Sprintf("%s %s", img.name, s.opts.Now().UTC().Format("2006-01-02T15-04-05.000Z"))
		}
		amis = append(amis, map[string]any{"region": region, "image": id, "accountId": s.opts.Account,
			"name": name, "state": map[string]any{"status": "AVAILABLE"}})
	}
	img.fields["outputResources"] = map[string]any{"amis": amis}
}

func (s *Server) createImage(in map[string]any) (map[string]any, *apiError) {
	ra, hasImage := in["imageRecipeArn"].(string)
	ca, hasContainer := in["containerRecipeArn"].(string)
	if hasImage == hasContainer {
		return nil, errorf("InvalidParameterCombinationException", "You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
	}
	typ, a := typeImageRecipe, ra
	if hasContainer {
		typ, a = typeContainerRecipe, ca
	}
	recipe, err := s.resolve(typ, a)
	if err != nil {
		return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'imageRecipeArn' is not valid. The resource '%s' does not exist.", a)
	}
	dist, _ := in["distributionConfigurationArn"].(string)
	return s.startImage(recipe, in["infrastructureConfigurationArn"].(string), dist, nil, in)
}

func (s *Server) startPipeline(in map[string]any) (map[string]any, *apiError) {
	a := in["imagePipelineArn"].(string)
	p, err := s.lookup(typePipeline, a)
	if err != nil {
		return nil, err
	}
	if p.fields["status"] == "DISABLED" {
		return nil, errorf("InvalidRequestException", "The image pipeline '%s' is disabled.", a)
	}
	typ, ra := typeImageRecipe, p.fields["imageRecipeArn"]
	if ra == nil {
		typ, ra = typeContainerRecipe, p.fields["containerRecipeArn"]
	}
	recipe, err := s.resolve(typ, ra.(string))
	if err != nil {
		return nil, errorf("ResourceDependencyException", "The recipe '%s' of pipeline '%s' no longer exists.", ra, a)
	}
	dist, _ := p.fields["distributionConfigurationArn"].(string)
	out, err := s.startImage(recipe, p.fields["infrastructureConfigurationArn"].(string), dist, p, in)
	if err != nil {
		return nil, err
	}
	delete(out, "latestVersionReferences")
	return out, nil
}

func (s *Server) image(a string) (*resource, *apiError) {
	r, err := s.resolve(typeImage, a)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Server) getImage(in map[string]any) (map[string]any, *apiError) {
	img, err := s.image(in["imageBuildVersionArn"].(string))
	if err != nil {
		return nil, err
	}
	s.tick(img, true)
	return map[string]any{"image": img.object(), "latestVersionReferences": s.latestRefs(img)}, nil
}

func (s *Server) cancelImage(in map[string]any) (map[string]any, *apiError) {
	a := in["imageBuildVersionArn"].(string)
	img, err := s.lookup(typeImage, a)
	if err != nil {
		return nil, err
	}
	s.tick(img, false)
	st := img.image
	if st.stage < 0 || st.stage == len(imageStates)-1 {
		return nil, errorf("ResourceInUseException", "The image '%s' is %s and can no longer be cancelled.", a, s.imageStatus(img))
	}
	now := s.now()
	for _, ex := range st.execs {
		if ex.status == "RUNNING" {
			ex.status, ex.end, ex.message = "CANCELLED", now, "cancelled by CancelImageCreation"
			for _, step := range ex.steps {
				if step.status == "RUNNING" || step.status == "PENDING" {
					step.status, step.end = "CANCELLED", now
				}
			}
		}
	}
	st.stage = -1
	s.setImageStatus(img, "CANCELLED", "Image creation cancelled by user request.")
	return map[string]any{"imageBuildVersionArn": a}, nil
}

func (s *Server) deleteImage(in map[string]any) (map[string]any, *apiError) {
	a := in["imageBuildVersionArn"].(string)
	img, err := s.lookup(typeImage, a)
	if err != nil {
		return nil, err
	}
	if st := img.image; st != nil && st.stage >= 0 && st.stage < len(imageStates)-1 {
		return nil, errorf("ResourceInUseException", "The image '%s' is being built; cancel it first.", a)
	}
	delete(s.resources, a)
	return map[string]any{"imageBuildVersionArn": a}, nil
}

func (s *Server) imageSummary(img *resource) map[string]any {
	s.tick(img, false)
	row := img.object()
	row["owner"] = s.opts.Account
	return row
}

func (s *Server) listImages(in map[string]any) (map[string]any, *apiError) {
	owner, ok := listOwner(in)
	if !ok {
		return map[string]any{"imageVersionList": []any{}}, nil
	}
	var rows []map[string]any
	for _, img := range newestPer(s.byOwner(typeImage, owner), listKey(in)) {
		row := pick(img.fields, "name", "type", "platform", "osVersion", "dateCreated", "buildType", "imageSource")
		row["arn"], row["version"] = s.arnOf(owner, typeImage, img.name, img.versionString()), img.versionString()
		row["owner"] = s.opts.Account
		if owner == managedOwner {
			row["owner"] = "Amazon"
		}
		if matchFilters(row, in) {
			rows = append(rows, row)
		}
	}
	return listPage("ListImages", "imageVersionList", rows, in)
}

func (s *Server) listImageBuildVersions(in map[string]any) (map[string]any, *apiError) {
	var p parsedARN
	if varn, ok := in["imageVersionArn"].(string); ok {
		var okARN bool
		p, okARN = parseARN(varn)
		if !okARN || p.typ != typeImage || p.version == "" || p.build != "" {
			return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'imageVersionArn' is not valid.")
		}
	}
	var rows []map[string]any
	for _, img := range s.byOwner(typeImage, ownerOf(p, s.opts.Account)) {
		if p.name != "" && (arnName(img.name) != p.name || img.versionString() != p.version) {
			continue
		}
		row := s.imageSummary(img)
		if matchFilters(row, in) {
			rows = append(rows, row)
		}
	}
	page, next, err := paginate("ListImageBuildVersions", rows, in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"imageSummaryList": page}, next), nil
}

func (s *Server) listImagePipelineImages(in map[string]any) (map[string]any, *apiError) {
	a := in["imagePipelineArn"].(string)
	if _, err := s.lookup(typePipeline, a); err != nil {
		return nil, err
	}
	var rows []map[string]any
	for _, img := range s.byType(typeImage) {
		if img.fields["sourcePipelineArn"] == a {
			row := s.imageSummary(img)
			if matchFilters(row, in) {
				rows = append(rows, row)
			}
		}
	}
	page, next, err := paginate("ListImagePipelineImages", rows, in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"imageSummaryList": page}, next), nil
}

func (s *Server) listWorkflowExecutions(in map[string]any) (map[string]any, *apiError) {
	a := in["imageBuildVersionArn"].(string)
	img, err := s.lookup(typeImage, a)
	if err != nil {
		return nil, err
	}
	s.tick(img, false)
	var rows []map[string]any
	for _, ex := range img.image.execs {
		row := map[string]any{"workflowBuildVersionArn": ex.workflowArn, "workflowExecutionId": ex.id, "type": ex.typ,
			"status": ex.status, "totalStepCount": float64(len(ex.steps)), "startTime": ex.start}
		var ok, failed, skipped float64
		for _, st := range ex.steps {
			switch st.status {
			case "COMPLETED":
				ok++
			case "FAILED":
				failed++
			case "SKIPPED":
				skipped++
			}
		}
		row["totalStepsSucceeded"], row["totalStepsFailed"], row["totalStepsSkipped"] = ok, failed, skipped
		if ex.message != "" {
			row["message"] = ex.message
		}
		if ex.end != "" {
			row["endTime"] = ex.end
		}
		rows = append(rows, row)
	}
	page, next, err := paginate("ListWorkflowExecutions", rows, in)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"workflowExecutions": page, "imageBuildVersionArn": a}
	return withNext(out, next), nil
}

func (s *Server) listWorkflowStepExecutions(in map[string]any) (map[string]any, *apiError) {
	id := in["workflowExecutionId"].(string)
	ex, ok := s.execs[id]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "The workflow execution '%s' does not exist.", id)
	}
	if img, ok := s.resources[ex.image]; ok {
		s.tick(img, false)
	}
	var rows []map[string]any
	for _, st := range ex.steps {
		row := map[string]any{"stepExecutionId": st.id, "name": st.name, "action": st.action, "status": st.status}
		for k, v := range map[string]string{"message": st.message, "startTime": st.start, "endTime": st.end} {
			if v != "" {
				row[k] = v
			}
		}
		rows = append(rows, row)
	}
	page, next, err := paginate("ListWorkflowStepExecutions", rows, in)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"steps": page, "workflowExecutionId": id, "workflowBuildVersionArn": ex.workflowArn, "imageBuildVersionArn": ex.image}
	return withNext(out, next), nil
}

type handler func(s *Server, in map[string]any) (map[string]any, *apiError)

// handlers maps the operations the fake implements. Every other operation
// of the model is routed and validated, then answered with
// InvalidRequestException.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"CreateComponent":            (*Server).createComponent,
		"GetComponent":               (*Server).getComponent,
		"DeleteComponent":            (*Server).deleteComponent,
		"ListComponents":             (*Server).listComponents,
		"ListComponentBuildVersions": (*Server).listComponentBuildVersions,
		"CreateImageRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.createRecipe(typeImageRecipe, in)
		},
		"CreateContainerRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.createRecipe(typeContainerRecipe, in)
		},
		"GetImageRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.getRecipe(typeImageRecipe, "imageRecipeArn", "imageRecipe", in)
		},
		"GetContainerRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.getRecipe(typeContainerRecipe, "containerRecipeArn", "containerRecipe", in)
		},
		"DeleteImageRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.deleteRecipe(typeImageRecipe, "imageRecipeArn", in)
		},
		"DeleteContainerRecipe": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.deleteRecipe(typeContainerRecipe, "containerRecipeArn", in)
		},
		"ListImageRecipes": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.listRecipes(typeImageRecipe, "ListImageRecipes", "imageRecipeSummaryList", in)
		},
		"ListContainerRecipes": func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.listRecipes(typeContainerRecipe, "ListContainerRecipes", "containerRecipeSummaryList", in)
		},
		"CancelImageCreation":         (*Server).cancelImage,
		"CreateImage":                 (*Server).createImage,
		"DeleteImage":                 (*Server).deleteImage,
		"GetImage":                    (*Server).getImage,
		"ListImages":                  (*Server).listImages,
		"ListImageBuildVersions":      (*Server).listImageBuildVersions,
		"ListImagePipelineImages":     (*Server).listImagePipelineImages,
		"StartImagePipelineExecution": (*Server).startPipeline,
		"ListWorkflowExecutions":      (*Server).listWorkflowExecutions,
		"ListWorkflowStepExecutions":  (*Server).listWorkflowStepExecutions,
		"TagResource":                 (*Server).tagResource,
		"UntagResource":               (*Server).untagResource,
		"ListTagsForResource":         (*Server).listTagsForResource,
	}
	mutable := []struct{ typ, noun, arnKey, outKey, listKey string }{
		{typeInfrastructure, "InfrastructureConfiguration", "infrastructureConfigurationArn", "infrastructureConfiguration", "infrastructureConfigurationSummaryList"},
		{typeDistribution, "DistributionConfiguration", "distributionConfigurationArn", "distributionConfiguration", "distributionConfigurationSummaryList"},
		{typePipeline, "ImagePipeline", "imagePipelineArn", "imagePipeline", "imagePipelineList"},
	}
	for _, m := range mutable {
		handlers["Create"+m.noun] = func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.createMutable(m.typ, m.arnKey, in)
		}
		handlers["Update"+m.noun] = func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.updateMutable(m.typ, m.arnKey, in)
		}
		handlers["Get"+m.noun] = func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.getMutable(m.typ, m.arnKey, m.outKey, in)
		}
		handlers["Delete"+m.noun] = func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.deleteMutable(m.typ, m.arnKey, in)
		}
		handlers["List"+m.noun+"s"] = func(s *Server, in map[string]any) (map[string]any, *apiError) {
			return s.listMutable(m.typ, "List"+m.noun+"s", m.listKey, in)
		}
	}
}
