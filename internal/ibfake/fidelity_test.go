package ibfake

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// TestListByName: ListComponents lists one row per semantic version, and
// with byName one per name, the newest version.
func TestListByName(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	for _, v := range []struct{ name, version string }{{"alpha", "1.0.0"}, {"alpha", "1.10.0"}, {"alpha", "1.2.0"}, {"beta", "2.0.0"}, {"beta", "2.0.0"}} {
		if _, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(v.name), SemanticVersion: aws.String(v.version), Platform: types.PlatformLinux, Data: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(byName bool) string {
		out, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{ByName: byName})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.ComponentVersionList {
			got = append(got, aws.ToString(v.Name)+"@"+aws.ToString(v.Version))
		}
		return strings.Join(got, " ")
	}
	if got, want := rows(false), "alpha@1.0.0 alpha@1.10.0 alpha@1.2.0 beta@2.0.0"; got != want {
		t.Errorf("ListComponents: %s, want %s (sorted by ARN, one row per version)", got, want)
	}
	if got, want := rows(true), "alpha@1.10.0 beta@2.0.0"; got != want {
		t.Errorf("ListComponents byName: %s, want %s (the newest version of each name)", got, want)
	}
}

// TestPipelineSchedule: Create and UpdateImagePipeline refuse the schedule
// expressions the service refuses, with the member named.
func TestPipelineSchedule(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	pipe := seedPipeline(t, c)
	got, err := c.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil {
		t.Fatal(err)
	}
	p := got.ImagePipeline
	cases := []struct {
		expr string
		ok   bool
	}{
		{"cron(0 3 ? * MON *)", true},
		{"cron(0 0 * * ? *)", true},
		{"cron(30 22 ? * tue#2 *)", true},
		{"rate(1 day)", true},
		{"cron(0 0 * * *)", false},     // the old five-field form
		{"cron(0 0 * * MON *)", false}, // neither day field is ?
		{"cron(0 0 ? * ? *)", false},   // both are
		{"cron(61 0 ? * MON *)", false},
		{"every monday", false},
		{"rate(2 day)", false},
	}
	for i, tc := range cases {
		sched := &types.Schedule{ScheduleExpression: aws.String(tc.expr)}
		_, cerr := c.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("sched-" + string(rune('a'+i))), ImageRecipeArn: p.ImageRecipeArn,
			InfrastructureConfigurationArn: p.InfrastructureConfigurationArn, Schedule: sched})
		_, uerr := c.UpdateImagePipeline(ctx, &imagebuilder.UpdateImagePipelineInput{ImagePipelineArn: aws.String(pipe), ImageRecipeArn: p.ImageRecipeArn,
			InfrastructureConfigurationArn: p.InfrastructureConfigurationArn, Schedule: sched})
		for op, err := range map[string]error{"CreateImagePipeline": cerr, "UpdateImagePipeline": uerr} {
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s %q: %v, want accepted", op, tc.expr, err)
			case !tc.ok && (apiCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "schedule.scheduleExpression")):
				t.Errorf("%s %q: %v, want InvalidParameterValueException naming schedule.scheduleExpression", op, tc.expr, err)
			}
		}
	}
}
