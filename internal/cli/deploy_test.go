package cli

// The container image (Dockerfile) and the scheduler manifests under
// deploy/ run orgbaseline unattended. These tests read every manifest,
// take out each container's command line as its runner would build it
// (Kubernetes $(VAR) expansion, a shell's $VAR, the image's entrypoint),
// and parse it with the real command tree: renaming a flag, a command or
// an environment variable the manifests use fails here, not at 2 a.m. in
// a cluster. They also check the hardening the manifests promise and, on
// a simulated organization, run the command lines themselves: apply then
// check, the shards of a sharded check and their merge.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// deployRepo is the repository root, seen from this package's directory.
const deployRepo = "../.."

// Where the baseline is: the image copies the example there, the
// Kubernetes manifests mount the ConfigMap there.
const (
	deployBaselineDir  = "/etc/orgbaseline"
	deployBaselinePath = deployBaselineDir + "/baseline.yaml"
)

// deployInvocation is one orgbaseline command line of a manifest, as the
// container would run it.
type deployInvocation struct {
	where string            // manifest and container, for messages
	argv  []string          // after the binary, placeholders substituted
	env   map[string]string // the environment the manifest gives the container
	// index is the Indexed Job completion index or Batch array index the
	// manifest was evaluated for; -1 when not an indexed run.
	index int
}

// deployStep is one command a container runs, orgbaseline or not (a
// busybox rm), in order; exec ends the script.
type deployStep struct {
	argv []string // with the program first
	glob []bool   // per argv word: it has an unquoted glob character
	and  bool     // "&&" follows: the next step runs only if this one succeeds
	exec bool
}

// deployContainer is a container of a manifest and what it runs.
type deployContainer struct {
	runner     string // kubernetes, ecs, batch
	file, name string
	image      string
	init       bool // a Kubernetes init container (run before the containers)
	sidecar    bool // a Kubernetes native sidecar (not exercised)
	steps      []deployStep
	env        map[string]string
	mounts     map[string]deployVolume
	index      int
}

func (c deployContainer) where() string {
	if c.index >= 0 {
		return fmt.Sprintf("%s: container %s (index %d)", c.file, c.name, c.index)
	}
	return fmt.Sprintf("%s: container %s", c.file, c.name)
}

// invocations are the container's orgbaseline command lines.
func (c deployContainer) invocations() []deployInvocation {
	var out []deployInvocation
	for _, s := range c.steps {
		if s.argv[0] == "/orgbaseline" {
			out = append(out, deployInvocation{where: c.where(), argv: s.argv[1:], env: c.env, index: c.index})
		}
	}
	return out
}

// deployVolume is where a mounted volume's data comes from.
type deployVolume struct {
	kind string // configMap, emptyDir, pvc (Kubernetes); efs, ephemeral (ECS, Batch)
	name string
}

// ---- the manifests ---------------------------------------------------

// deployManifests is everything under deploy/ and the Dockerfile, parsed.
type deployManifests struct {
	docker     deployDockerfile
	k8s        []*deployK8sObject // every document of every YAML file
	ecsTask    *deployECSTask
	ecsFile    string
	schedule   *deploySchedule
	batchDefs  map[string]*deployBatchDef // by jobDefinitionName
	batchFiles map[string]string
	batchArray *deployBatchSubmit
	// containers of every manifest, evaluated per index where indexed.
	containers []deployContainer
}

func loadDeployManifests(t *testing.T) *deployManifests {
	t.Helper()
	m := &deployManifests{batchDefs: map[string]*deployBatchDef{}, batchFiles: map[string]string{}}
	m.docker = parseDeployDockerfile(t, filepath.Join(deployRepo, "Dockerfile"))
	root := filepath.Join(deployRepo, "deploy")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(path)) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no manifests under deploy/")
	}
	for _, path := range files {
		rel, _ := filepath.Rel(deployRepo, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml":
			dec := yaml.NewDecoder(bytes.NewReader(b))
			for {
				o := &deployK8sObject{file: rel}
				if err := dec.Decode(o); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				if o.Kind == "" {
					t.Fatalf("%s: a document without a kind", rel)
				}
				m.k8s = append(m.k8s, o)
			}
		case ".json":
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(b, &probe); err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			has := func(k string) bool { _, ok := probe[k]; return ok }
			strict := func(v any) {
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(v); err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
			}
			switch {
			case has("containerDefinitions"):
				if m.ecsTask != nil {
					t.Fatalf("%s: a second ECS task definition; teach deploy_test.go about it", rel)
				}
				m.ecsTask, m.ecsFile = &deployECSTask{}, rel
				strict(m.ecsTask)
			case has("ScheduleExpression"):
				m.schedule = &deploySchedule{}
				strict(m.schedule)
			case has("containerProperties"):
				d := &deployBatchDef{}
				strict(d)
				m.batchDefs[d.JobDefinitionName] = d
				m.batchFiles[d.JobDefinitionName] = rel
			case has("arrayProperties"):
				m.batchArray = &deployBatchSubmit{}
				strict(m.batchArray)
			default:
				t.Fatalf("%s: not a manifest deploy_test.go knows (ECS task definition, EventBridge schedule, Batch job definition or submission); teach it", rel)
			}
		}
	}
	m.containers = m.evalContainers(t)
	return m
}

// ---- Kubernetes ------------------------------------------------------

type deployK8sObject struct {
	file       string // the manifest it is in
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Data                         map[string]string `yaml:"data"`
	AutomountServiceAccountToken *bool             `yaml:"automountServiceAccountToken"`
	Spec                         deployK8sSpec     `yaml:"spec"`
}

type deployK8sSpec struct {
	// CronJob
	Schedule                string `yaml:"schedule"`
	ConcurrencyPolicy       string `yaml:"concurrencyPolicy"`
	StartingDeadlineSeconds *int64 `yaml:"startingDeadlineSeconds"`
	JobTemplate             *struct {
		Spec deployK8sJobSpec `yaml:"spec"`
	} `yaml:"jobTemplate"`
	// Job
	deployK8sJobSpec `yaml:",inline"`
	// PersistentVolumeClaim
	AccessModes []string `yaml:"accessModes"`
}

type deployK8sJobSpec struct {
	CompletionMode        string `yaml:"completionMode"`
	Completions           *int   `yaml:"completions"`
	Parallelism           *int   `yaml:"parallelism"`
	BackoffLimit          *int   `yaml:"backoffLimit"`
	BackoffLimitPerIndex  *int   `yaml:"backoffLimitPerIndex"`
	ActiveDeadlineSeconds *int64 `yaml:"activeDeadlineSeconds"`
	PodFailurePolicy      *struct {
		Rules []struct {
			Action      string `yaml:"action"`
			OnExitCodes *struct {
				ContainerName string `yaml:"containerName"`
				Operator      string `yaml:"operator"`
				Values        []int  `yaml:"values"`
			} `yaml:"onExitCodes"`
		} `yaml:"rules"`
	} `yaml:"podFailurePolicy"`
	Template *struct {
		Spec deployPodSpec `yaml:"spec"`
	} `yaml:"template"`
}

type deployPodSpec struct {
	ServiceAccountName           string                 `yaml:"serviceAccountName"`
	AutomountServiceAccountToken *bool                  `yaml:"automountServiceAccountToken"`
	RestartPolicy                string                 `yaml:"restartPolicy"`
	SecurityContext              *deploySecurityContext `yaml:"securityContext"`
	InitContainers               []deployK8sContainer   `yaml:"initContainers"`
	Containers                   []deployK8sContainer   `yaml:"containers"`
	Volumes                      []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		EmptyDir              *struct{} `yaml:"emptyDir"`
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

type deploySecurityContext struct {
	RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
	RunAsUser                *int64 `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
	Capabilities             *struct {
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
	SeccompProfile *struct {
		Type string `yaml:"type"`
	} `yaml:"seccompProfile"`
}

type deployK8sContainer struct {
	Name          string   `yaml:"name"`
	Image         string   `yaml:"image"`
	Command       []string `yaml:"command"`
	Args          []string `yaml:"args"`
	RestartPolicy string   `yaml:"restartPolicy"`
	Env           []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	SecurityContext *deploySecurityContext `yaml:"securityContext"`
	Resources       struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

// jobSpec is the Job spec of a CronJob or Job, nil for other kinds.
func (o *deployK8sObject) jobSpec() *deployK8sJobSpec {
	switch o.Kind {
	case "CronJob":
		if o.Spec.JobTemplate == nil {
			return nil
		}
		return &o.Spec.JobTemplate.Spec
	case "Job":
		return &o.Spec.deployK8sJobSpec
	}
	return nil
}

// deployDownward are the downward API fields the manifests may use, with
// the value a pod gets for completion index i (-1: not an Indexed Job).
func deployDownward(fieldPath string, i int) (string, bool) {
	switch fieldPath {
	case "metadata.annotations['batch.kubernetes.io/job-completion-index']":
		if i < 0 {
			return "", false
		}
		return strconv.Itoa(i), true
	case "metadata.labels['batch.kubernetes.io/job-name']":
		return "orgbaseline-29012345", true
	}
	return "", false
}

var deployK8sVar = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// deployK8sExpand expands $(VAR) as the kubelet does: only variables
// declared in the container's env; $$ is a literal $.
func deployK8sExpand(s string, env map[string]string) string {
	return deployK8sVar.ReplaceAllStringFunc(s, func(v string) string {
		if v == "$$" {
			return "$"
		}
		if val, ok := env[v[2:len(v)-1]]; ok {
			return val
		}
		return v // left as is, as Kubernetes does
	})
}

// ---- ECS, EventBridge Scheduler, Batch --------------------------------

type deployECSLog struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

type deployEnv []struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (e deployEnv) m() map[string]string {
	out := map[string]string{}
	for _, v := range e {
		out[v.Name] = v.Value
	}
	return out
}

type deployEFS struct {
	FileSystemID        string `json:"fileSystemId"`
	RootDirectory       string `json:"rootDirectory"`
	TransitEncryption   string `json:"transitEncryption"`
	AuthorizationConfig *struct {
		AccessPointID string `json:"accessPointId"`
		IAM           string `json:"iam"`
	} `json:"authorizationConfig"`
}

type deployMountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type deployECSTask struct {
	Family                  string   `json:"family"`
	TaskRoleArn             string   `json:"taskRoleArn"`
	ExecutionRoleArn        string   `json:"executionRoleArn"`
	NetworkMode             string   `json:"networkMode"`
	RequiresCompatibilities []string `json:"requiresCompatibilities"`
	CPU                     string   `json:"cpu"`
	Memory                  string   `json:"memory"`
	RuntimePlatform         struct {
		OperatingSystemFamily string `json:"operatingSystemFamily"`
		CPUArchitecture       string `json:"cpuArchitecture"`
	} `json:"runtimePlatform"`
	Volumes []struct {
		Name                   string     `json:"name"`
		EFSVolumeConfiguration *deployEFS `json:"efsVolumeConfiguration"`
	} `json:"volumes"`
	ContainerDefinitions []struct {
		Name       string   `json:"name"`
		Image      string   `json:"image"`
		Essential  *bool    `json:"essential"`
		EntryPoint []string `json:"entryPoint"`
		Command    []string `json:"command"`
		DependsOn  []struct {
			ContainerName string `json:"containerName"`
			Condition     string `json:"condition"`
		} `json:"dependsOn"`
		Environment            deployEnv `json:"environment"`
		User                   string    `json:"user"`
		ReadonlyRootFilesystem bool      `json:"readonlyRootFilesystem"`
		LinuxParameters        *struct {
			Capabilities *struct {
				Drop []string `json:"drop"`
			} `json:"capabilities"`
		} `json:"linuxParameters"`
		MountPoints      []deployMountPoint `json:"mountPoints"`
		StopTimeout      int                `json:"stopTimeout"`
		LogConfiguration *deployECSLog      `json:"logConfiguration"`
	} `json:"containerDefinitions"`
	Tags []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"tags"`
}

type deploySchedule struct {
	Name                       string `json:"Name"`
	GroupName                  string `json:"GroupName"`
	Description                string `json:"Description"`
	ScheduleExpression         string `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string `json:"ScheduleExpressionTimezone"`
	State                      string `json:"State"`
	FlexibleTimeWindow         struct {
		Mode                   string `json:"Mode"`
		MaximumWindowInMinutes int    `json:"MaximumWindowInMinutes"`
	} `json:"FlexibleTimeWindow"`
	Target struct {
		Arn           string `json:"Arn"`
		RoleArn       string `json:"RoleArn"`
		EcsParameters *struct {
			TaskDefinitionArn    string `json:"TaskDefinitionArn"`
			TaskCount            int    `json:"TaskCount"`
			LaunchType           string `json:"LaunchType"`
			NetworkConfiguration struct {
				AwsvpcConfiguration struct {
					Subnets        []string `json:"Subnets"`
					SecurityGroups []string `json:"SecurityGroups"`
					AssignPublicIP string   `json:"AssignPublicIp"`
				} `json:"awsvpcConfiguration"`
			} `json:"NetworkConfiguration"`
			EnableECSManagedTags bool   `json:"EnableECSManagedTags"`
			PropagateTags        string `json:"PropagateTags"`
		} `json:"EcsParameters"`
		RetryPolicy *struct {
			MaximumRetryAttempts     int `json:"MaximumRetryAttempts"`
			MaximumEventAgeInSeconds int `json:"MaximumEventAgeInSeconds"`
		} `json:"RetryPolicy"`
	} `json:"Target"`
}

type deployBatchDef struct {
	JobDefinitionName    string   `json:"jobDefinitionName"`
	Type                 string   `json:"type"`
	PlatformCapabilities []string `json:"platformCapabilities"`
	PropagateTags        bool     `json:"propagateTags"`
	Timeout              *struct {
		AttemptDurationSeconds int `json:"attemptDurationSeconds"`
	} `json:"timeout"`
	RetryStrategy *struct {
		Attempts       int `json:"attempts"`
		EvaluateOnExit []struct {
			OnExitCode string `json:"onExitCode"`
			OnReason   string `json:"onReason"`
			Action     string `json:"action"`
		} `json:"evaluateOnExit"`
	} `json:"retryStrategy"`
	ContainerProperties struct {
		Image                string   `json:"image"`
		Command              []string `json:"command"`
		JobRoleArn           string   `json:"jobRoleArn"`
		ExecutionRoleArn     string   `json:"executionRoleArn"`
		ResourceRequirements []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"resourceRequirements"`
		Environment            deployEnv `json:"environment"`
		User                   string    `json:"user"`
		ReadonlyRootFilesystem bool      `json:"readonlyRootFilesystem"`
		NetworkConfiguration   *struct {
			AssignPublicIP string `json:"assignPublicIp"`
		} `json:"networkConfiguration"`
		FargatePlatformConfiguration *struct {
			PlatformVersion string `json:"platformVersion"`
		} `json:"fargatePlatformConfiguration"`
		RuntimePlatform *struct {
			OperatingSystemFamily string `json:"operatingSystemFamily"`
			CPUArchitecture       string `json:"cpuArchitecture"`
		} `json:"runtimePlatform"`
		Volumes []struct {
			Name                   string     `json:"name"`
			EFSVolumeConfiguration *deployEFS `json:"efsVolumeConfiguration"`
		} `json:"volumes"`
		MountPoints      []deployMountPoint `json:"mountPoints"`
		LogConfiguration *deployECSLog      `json:"logConfiguration"`
	} `json:"containerProperties"`
}

type deployBatchSubmit struct {
	JobName         string `json:"jobName"`
	JobQueue        string `json:"jobQueue"`
	JobDefinition   string `json:"jobDefinition"`
	ArrayProperties struct {
		Size int `json:"size"`
	} `json:"arrayProperties"`
	PropagateTags bool              `json:"propagateTags"`
	Tags          map[string]string `json:"tags"`
}

// ---- what containers run ---------------------------------------------

// isOrgbaselineImage reports whether an image reference is orgbaseline's
// (any registry and tag).
func isOrgbaselineImage(image string) bool {
	name := image
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	return name == "orgbaseline" || strings.HasSuffix(name, "/orgbaseline")
}

// deploySteps is what a container runs, given its entrypoint override
// (command) and arguments: the image's ENTRYPOINT and CMD fill in, and a
// shell script is parsed into its commands.
func (m *deployManifests) deploySteps(where, image string, command, args []string, env map[string]string) ([]deployStep, error) {
	argv := append(append([]string(nil), command...), args...)
	if len(command) == 0 && isOrgbaselineImage(image) {
		stage := m.docker.final()
		if strings.HasSuffix(image, "-shell") {
			stage = m.docker.stage("shell")
			if stage == nil {
				return nil, fmt.Errorf("%s: image %s is the shell variant, but the Dockerfile has no stage named shell", where, image)
			}
		}
		argv = append(append([]string(nil), stage.entrypoint...), args...)
		if len(args) == 0 {
			argv = append(argv, stage.cmd...)
		}
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: runs nothing", where)
	}
	if (argv[0] == "/busybox/sh" || argv[0] == "/bin/sh" || argv[0] == "sh") && len(argv) == 3 && argv[1] == "-c" {
		if !isOrgbaselineImage(image) {
			return nil, nil // another tool's script (the S3 upload sidecar): not exercised
		}
		return deployParseShell(argv[2], env)
	}
	return []deployStep{{argv: argv, glob: make([]bool, len(argv))}}, nil
}

func (m *deployManifests) evalContainers(t *testing.T) []deployContainer {
	t.Helper()
	var out []deployContainer
	add := func(c deployContainer, image string, command, args []string) {
		t.Helper()
		steps, err := m.deploySteps(c.where(), image, command, args, c.env)
		if err != nil {
			t.Fatal(err)
		}
		c.image, c.steps = image, steps
		out = append(out, c)
	}
	for _, o := range m.k8s {
		js := o.jobSpec()
		if js == nil || js.Template == nil {
			continue
		}
		file := o.file
		indexes := []int{-1}
		if js.CompletionMode == "Indexed" && js.Completions != nil {
			indexes = nil
			for i := range *js.Completions {
				indexes = append(indexes, i)
			}
		}
		pod := js.Template.Spec
		volumes := map[string]deployVolume{}
		for _, v := range pod.Volumes {
			switch {
			case v.ConfigMap != nil:
				volumes[v.Name] = deployVolume{"configMap", v.ConfigMap.Name}
			case v.PersistentVolumeClaim != nil:
				volumes[v.Name] = deployVolume{"pvc", v.PersistentVolumeClaim.ClaimName}
			case v.EmptyDir != nil:
				volumes[v.Name] = deployVolume{"emptyDir", o.Metadata.Name + "/" + v.Name}
			default:
				t.Fatalf("%s: volume %s of a kind deploy_test.go does not know", file, v.Name)
			}
		}
		for _, index := range indexes {
			for _, group := range []struct {
				init bool
				cs   []deployK8sContainer
			}{{true, pod.InitContainers}, {false, pod.Containers}} {
				for _, kc := range group.cs {
					c := deployContainer{runner: "kubernetes", file: file, name: o.Metadata.Name + "/" + kc.Name, init: group.init, sidecar: kc.RestartPolicy == "Always", index: index, env: map[string]string{}, mounts: map[string]deployVolume{}}
					for _, e := range kc.Env {
						switch {
						case e.ValueFrom == nil:
							c.env[e.Name] = deployK8sExpand(e.Value, c.env)
						case e.ValueFrom.FieldRef != nil:
							v, ok := deployDownward(e.ValueFrom.FieldRef.FieldPath, index)
							if !ok {
								t.Fatalf("%s: env %s from %s, which this pod does not have (or deploy_test.go does not know)", c.where(), e.Name, e.ValueFrom.FieldRef.FieldPath)
							}
							c.env[e.Name] = v
						default:
							t.Fatalf("%s: env %s from a source deploy_test.go does not know", c.where(), e.Name)
						}
					}
					for _, vm := range kc.VolumeMounts {
						v, ok := volumes[vm.Name]
						if !ok {
							t.Fatalf("%s: mounts volume %s, which the pod does not declare", c.where(), vm.Name)
						}
						c.mounts[vm.MountPath] = v
					}
					var command, args []string
					for _, s := range kc.Command {
						command = append(command, deployK8sExpand(s, c.env))
					}
					for _, s := range kc.Args {
						args = append(args, deployK8sExpand(s, c.env))
					}
					for _, s := range append(append([]string(nil), command...), args...) {
						if loc := deployK8sVar.FindStringIndex(s); loc != nil && !strings.HasPrefix(s[loc[0]:], "$$") {
							t.Errorf("%s: %q: Kubernetes leaves %s as it is: the variable is not declared in the container's env", c.where(), s, s[loc[0]:loc[1]])
						}
					}
					add(c, kc.Image, command, args)
				}
			}
		}
	}
	if e := m.ecsTask; e != nil {
		volumes := map[string]deployVolume{}
		for _, v := range e.Volumes {
			volumes[v.Name] = deployECSVolume(v.Name, v.EFSVolumeConfiguration)
		}
		for _, cd := range e.ContainerDefinitions {
			c := deployContainer{runner: "ecs", file: m.ecsFile, name: cd.Name, index: -1, env: cd.Environment.m(), mounts: deployMounts(cd.MountPoints, volumes)}
			if len(cd.EntryPoint) > 0 && !slices.Equal(cd.EntryPoint, []string{"/orgbaseline"}) {
				t.Errorf("%s: entryPoint %v is not the image's", c.where(), cd.EntryPoint)
			}
			add(c, cd.Image, cd.EntryPoint, cd.Command)
		}
	}
	for name, d := range m.batchDefs {
		indexes := []int{-1}
		if m.batchArray != nil && m.batchArray.JobDefinition == name {
			indexes = nil
			for i := range m.batchArray.ArrayProperties.Size {
				indexes = append(indexes, i)
			}
		}
		for _, index := range indexes {
			// What Batch sets, plus the job definition's environment.
			env := map[string]string{"AWS_BATCH_JOB_ID": "5a1b2c3d-0000-4000-8000-000000000000", "AWS_BATCH_JOB_ATTEMPT": "1", "AWS_BATCH_JQ_NAME": "orgbaseline", "AWS_BATCH_CE_NAME": "orgbaseline"}
			if index >= 0 {
				env["AWS_BATCH_JOB_ARRAY_INDEX"] = strconv.Itoa(index)
				env["AWS_BATCH_JOB_ID"] += ":" + strconv.Itoa(index)
			}
			for k, v := range d.ContainerProperties.Environment.m() {
				env[k] = v
			}
			volumes := map[string]deployVolume{}
			for _, v := range d.ContainerProperties.Volumes {
				volumes[v.Name] = deployECSVolume(v.Name, v.EFSVolumeConfiguration)
			}
			c := deployContainer{runner: "batch", file: m.batchFiles[name], name: name, index: index, env: env, mounts: deployMounts(d.ContainerProperties.MountPoints, volumes)}
			// Batch has no entrypoint override: the command replaces CMD.
			add(c, d.ContainerProperties.Image, nil, d.ContainerProperties.Command)
		}
	}
	return out
}

// deployECSVolume names an ECS or Batch volume by where its data lives.
func deployECSVolume(name string, efs *deployEFS) deployVolume {
	if efs == nil {
		return deployVolume{"ephemeral", name}
	}
	ap := ""
	if efs.AuthorizationConfig != nil {
		ap = efs.AuthorizationConfig.AccessPointID
	}
	return deployVolume{"efs", efs.FileSystemID + "/" + ap + efs.RootDirectory}
}

func deployMounts(mps []deployMountPoint, volumes map[string]deployVolume) map[string]deployVolume {
	out := map[string]deployVolume{}
	for _, mp := range mps {
		v, ok := volumes[mp.SourceVolume]
		if !ok {
			v = deployVolume{"undeclared", mp.SourceVolume}
		}
		out[mp.ContainerPath] = v
	}
	return out
}

// volumeAt is the volume a container path is on ("" for the image's own
// filesystem).
func (c deployContainer) volumeAt(p string) deployVolume {
	best, v := "", deployVolume{}
	for mp, vol := range c.mounts {
		if (p == mp || strings.HasPrefix(p, mp+"/")) && len(mp) > len(best) {
			best, v = mp, vol
		}
	}
	return v
}

// deployParseShell reads the small shell scripts the manifests may use:
// commands joined by && or ;, words with '...' and "..." quoting, $NAME
// and ${NAME} from env, globs left to the caller. Anything else (pipes,
// redirections, substitutions, other parameter expansions) is refused, so
// a script the test cannot follow does not pass unread.
func deployParseShell(script string, env map[string]string) ([]deployStep, error) {
	var steps []deployStep
	var cur deployStep
	var word strings.Builder
	inWord, glob := false, false
	endWord := func() {
		if inWord {
			cur.argv = append(cur.argv, word.String())
			cur.glob = append(cur.glob, glob)
		}
		word.Reset()
		inWord, glob = false, false
	}
	endCmd := func(and bool) error {
		endWord()
		if len(cur.argv) == 0 {
			if and {
				return fmt.Errorf("script %q: && with no command before it", script)
			}
			return nil
		}
		if cur.argv[0] == "exec" {
			cur.exec = true
			cur.argv, cur.glob = cur.argv[1:], cur.glob[1:]
		}
		cur.and = and
		steps = append(steps, cur)
		cur = deployStep{}
		return nil
	}
	expand := func(i int) (int, error) { // script[i] == '$'
		rest := script[i+1:]
		var name string
		n := 0
		if strings.HasPrefix(rest, "{") {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return 0, fmt.Errorf("script %q: unterminated ${", script)
			}
			name, n = rest[1:end], end+1
		} else {
			for n < len(rest) && (rest[n] == '_' || rest[n] >= 'A' && rest[n] <= 'Z' || rest[n] >= 'a' && rest[n] <= 'z' || n > 0 && rest[n] >= '0' && rest[n] <= '9') {
				n++
			}
			name = rest[:n]
		}
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(name) {
			return 0, fmt.Errorf("script %q: $%s: only $NAME and ${NAME} are understood here", script, rest[:max(n, 1)])
		}
		v, ok := env[name]
		if !ok {
			return 0, fmt.Errorf("script %q: $%s is not set in the container (it would expand to nothing)", script, name)
		}
		word.WriteString(v)
		inWord = true
		return i + 1 + n, nil
	}
	for i := 0; i < len(script); {
		ch := script[i]
		switch {
		case ch == ' ' || ch == '\t':
			endWord()
			i++
		case ch == '\n' || ch == ';':
			if err := endCmd(false); err != nil {
				return nil, err
			}
			i++
		case strings.HasPrefix(script[i:], "&&"):
			if err := endCmd(true); err != nil {
				return nil, err
			}
			i += 2
		case ch == '\'':
			end := strings.IndexByte(script[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("script %q: unterminated '", script)
			}
			word.WriteString(script[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case ch == '"':
			i++
			inWord = true
			for {
				if i >= len(script) {
					return nil, fmt.Errorf("script %q: unterminated \"", script)
				}
				c := script[i]
				if c == '"' {
					i++
					break
				}
				switch {
				case c == '\\' && i+1 < len(script) && strings.IndexByte("\"\\$`", script[i+1]) >= 0:
					word.WriteByte(script[i+1])
					i += 2
				case c == '$':
					var err error
					if i, err = expand(i); err != nil {
						return nil, err
					}
				case c == '`':
					return nil, fmt.Errorf("script %q: command substitution is not understood here", script)
				default:
					word.WriteByte(c)
					i++
				}
			}
		case ch == '\\' && i+1 < len(script):
			word.WriteByte(script[i+1])
			inWord = true
			i += 2
		case ch == '$':
			var err error
			if i, err = expand(i); err != nil {
				return nil, err
			}
		case strings.IndexByte("|&<>()`{}", ch) >= 0:
			return nil, fmt.Errorf("script %q: %q is not understood here; keep the scripts to commands joined by && or ;", script, ch)
		default:
			if strings.IndexByte("*?[", ch) >= 0 {
				glob = true
			}
			word.WriteByte(ch)
			inWord = true
			i++
		}
	}
	if err := endCmd(false); err != nil {
		return nil, err
	}
	for _, s := range steps {
		switch s.argv[0] {
		case "/orgbaseline", "rm", "mkdir":
		default:
			return nil, fmt.Errorf("script %q runs %s, which deploy_test.go does not know", script, s.argv[0])
		}
	}
	return steps, nil
}

// ---- the Dockerfile ----------------------------------------------------

type deployDockerfile struct {
	stages []*deployStage
}

type deployStage struct {
	from, name string
	instrs     []deployInstr
	entrypoint []string
	cmd        []string
	user       string
	workdir    string
}

type deployInstr struct{ op, args string }

func (d *deployDockerfile) final() *deployStage { return d.stages[len(d.stages)-1] }

func (d *deployDockerfile) stage(name string) *deployStage {
	for _, s := range d.stages {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (s *deployStage) all(op string) []string {
	var out []string
	for _, in := range s.instrs {
		if in.op == op {
			out = append(out, in.args)
		}
	}
	return out
}

func parseDeployDockerfile(t *testing.T, path string) deployDockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d deployDockerfile
	var logical []string
	var cont strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cont.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cont.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cont.WriteString(trimmed)
		logical = append(logical, cont.String())
		cont.Reset()
	}
	jsonArray := func(op, args string) []string {
		var v []string
		if err := json.Unmarshal([]byte(args), &v); err != nil {
			t.Fatalf("Dockerfile: %s %s: use the JSON (exec) form: %v", op, args, err)
		}
		return v
	}
	for _, l := range logical {
		op, args, _ := strings.Cut(l, " ")
		op, args = strings.ToUpper(op), strings.TrimSpace(args)
		if op == "FROM" {
			f := strings.Fields(args)
			s := &deployStage{}
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				f = f[1:]
			}
			if len(f) == 0 {
				t.Fatalf("Dockerfile: FROM %s", args)
			}
			s.from = f[0]
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			d.stages = append(d.stages, s)
			continue
		}
		if len(d.stages) == 0 {
			if op == "ARG" {
				continue
			}
			t.Fatalf("Dockerfile: %s before FROM", op)
		}
		s := d.stages[len(d.stages)-1]
		s.instrs = append(s.instrs, deployInstr{op, args})
		switch op {
		case "ENTRYPOINT":
			s.entrypoint = jsonArray(op, args)
			s.cmd = nil // a new entrypoint resets CMD
		case "CMD":
			s.cmd = jsonArray(op, args)
		case "USER":
			s.user = args
		case "WORKDIR":
			s.workdir = args
		}
	}
	if len(d.stages) == 0 {
		t.Fatal("Dockerfile: no FROM")
	}
	return d
}

// ---- checking a command line ------------------------------------------

// deployCommands are the commands an unattended run may invoke.
var deployCommands = map[string]bool{
	"orgbaseline apply": true, "orgbaseline check": true, "orgbaseline plan": true, "orgbaseline report merge": true,
}

// checkDeployInvocation parses a command line with the real command tree
// and checks its values the way the commands will. It returns the command
// found, with its flags parsed.
func checkDeployInvocation(inv deployInvocation) (*cobra.Command, error) {
	a := &app{getenv: func(k string) string { return inv.env[k] }}
	root := a.rootCommand()
	cmd, rest, err := root.Find(terraformStyle(inv.argv))
	if err != nil {
		return nil, fmt.Errorf("%s: orgbaseline %s: %v", inv.where, strings.Join(inv.argv, " "), err)
	}
	if !deployCommands[cmd.CommandPath()] {
		return nil, fmt.Errorf("%s: runs %q; an unattended run is apply, check, plan or report merge", inv.where, cmd.CommandPath())
	}
	fail := func(format string, args ...any) (*cobra.Command, error) {
		return nil, fmt.Errorf("%s: %s: %s", inv.where, cmd.CommandPath(), fmt.Sprintf(format, args...))
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return fail("%v (the manifest's arguments: %q)", err, inv.argv)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return fail("%v", err)
	}
	flags := cmd.Flags()
	str := func(name string) string {
		f := flags.Lookup(name)
		if f == nil {
			return ""
		}
		return f.Value.String()
	}
	if str("log-format") != "json" {
		return fail("--log-format %q: unattended runs log JSON (--log-format json)", str("log-format"))
	}
	if _, err := parseMaxFailed(str("max-failed-accounts")); err != nil {
		return fail("%v", err)
	}
	if flags.Lookup("file") != nil && str("file") != deployBaselinePath {
		return fail("-f %s: the image and the ConfigMap provide the baseline at %s", str("file"), deployBaselinePath)
	}
	if flags.Lookup("auto-approve") != nil && str("auto-approve") != "true" {
		return fail("no --auto-approve: with no terminal, apply refuses to run")
	}
	if f := flags.Lookup("fail-on"); f != nil && f.Value.String() != "" { // "": report merge without a verdict
		if _, ok := baseline.ParseSeverity(f.Value.String()); !ok {
			return fail("--fail-on %q is not a severity", f.Value.String())
		}
	}
	if flags.Lookup("format") != nil {
		formats, _ := flags.GetStringArray("format")
		outputs, _ := flags.GetStringArray("output")
		if _, err := (&outputFlags{formats: formats, outputs: outputs}).resolve(); err != nil {
			return fail("%v", err)
		}
	}
	if s := str("shard"); s != "" {
		// The real lookup (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)
		// in the environment the manifest gives the container...
		sh, err := a.parseShard(s)
		if err != nil {
			return fail("%v (environment: %v)", err, inv.env)
		}
		// ...and the parser itself, with the runner's index.
		direct, err := baseline.ParseShard(s, func() (string, error) {
			if inv.index < 0 {
				return "", fmt.Errorf("not an indexed run")
			}
			return strconv.Itoa(inv.index), nil
		})
		if err != nil {
			return fail("%v", err)
		}
		if *sh != direct {
			return fail("--shard %s is shard %s in this container, but the runner started it as index %d", s, sh, inv.index)
		}
	}
	return cmd, nil
}

func deployFlag(cmd *cobra.Command, name string) string {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

func deployOutputs(t *testing.T, cmd *cobra.Command) map[string]string {
	t.Helper()
	formats, _ := cmd.Flags().GetStringArray("format")
	outputs, _ := cmd.Flags().GetStringArray("output")
	outs, err := (&outputFlags{formats: formats, outputs: outputs}).resolve()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, o := range outs {
		m[o.format] = o.path
	}
	return m
}

// ---- the tests -----------------------------------------------------------

// Every orgbaseline command line in the manifests and the image parses
// with the real command tree, with the values the commands accept.
func TestDeployInvocationsParse(t *testing.T) {
	m := loadDeployManifests(t)
	found := map[string]int{}
	for _, c := range m.containers {
		for _, inv := range c.invocations() {
			cmd, err := checkDeployInvocation(inv)
			if err != nil {
				t.Error(err)
				continue
			}
			found[cmd.CommandPath()]++
			// The root filesystem is read-only: reports go to a volume.
			if cmd.Flags().Lookup("output") != nil {
				for format, path := range deployOutputs(t, cmd) {
					if v := c.volumeAt(path); path != "" && (v.kind == "" || v.kind == "configMap") {
						t.Errorf("%s: the %s report goes to %s, which is on no writable volume", inv.where, format, path)
					}
				}
			}
		}
	}
	// The image's own default command is a run too.
	final := m.docker.final()
	inv := deployInvocation{where: "Dockerfile: ENTRYPOINT + CMD", argv: final.cmd, index: -1}
	if _, err := checkDeployInvocation(inv); err != nil {
		t.Error(err)
	}
	for _, want := range []string{"orgbaseline apply", "orgbaseline check", "orgbaseline report merge"} {
		if found[want] == 0 {
			t.Errorf("no manifest runs %s", want)
		}
	}
}

// The checker fails on what a renamed flag, command or variable would
// make of the manifests.
func TestDeployCheckerCatchesBrokenCommandLines(t *testing.T) {
	ok := []string{"check", "-f", deployBaselinePath, "--log-format", "json", "--shard", "auto/3", "--format", "json", "--output", "/reports/shard-1.json"}
	env := map[string]string{"JOB_COMPLETION_INDEX": "1"}
	if _, err := checkDeployInvocation(deployInvocation{where: "ok", argv: ok, env: env, index: 1}); err != nil {
		t.Fatalf("a good command line is refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		argv []string
		env  map[string]string
	}{
		{"renamed flag", []string{"apply", "-f", deployBaselinePath, "--auto-aprove", "--log-format", "json"}, nil},
		{"renamed command", []string{"enforce", "-f", deployBaselinePath, "--log-format", "json"}, nil},
		{"not unattended", []string{"apply", "-f", deployBaselinePath, "--log-format", "json"}, nil},
		{"console logs", []string{"check", "-f", deployBaselinePath}, nil},
		{"other baseline path", []string{"check", "-f", "baseline.yaml", "--log-format", "json"}, nil},
		{"unpaired outputs", []string{"check", "-f", deployBaselinePath, "--log-format", "json", "--format", "json", "--format", "html", "--output", "a.json"}, nil},
		{"index variable not set", ok, map[string]string{"JOB_INDEX": "1"}},
		{"index out of range", ok, map[string]string{"JOB_COMPLETION_INDEX": "3"}},
		{"stray argument", []string{"check", "-f", deployBaselinePath, "--log-format", "json", "extra"}, nil},
		{"bad severity", []string{"check", "-f", deployBaselinePath, "--log-format", "json", "--fail-on", "severe"}, nil},
	} {
		if _, err := checkDeployInvocation(deployInvocation{where: tc.name, argv: tc.argv, env: tc.env, index: 1}); err == nil {
			t.Errorf("%s: %q is accepted", tc.name, tc.argv)
		}
	}
	// Kubernetes leaves $(VAR) alone when VAR is not in the env.
	if got := deployK8sExpand("/reports/shard-$(JOB_COMPLETION_INDEX).json", nil); got != "/reports/shard-$(JOB_COMPLETION_INDEX).json" {
		t.Errorf("expansion without the variable: %s", got)
	}
	if got := deployK8sExpand("/reports/shard-$(JOB_COMPLETION_INDEX).json", map[string]string{"JOB_COMPLETION_INDEX": "2"}); got != "/reports/shard-2.json" {
		t.Errorf("expansion with the variable: %s", got)
	}
	if _, err := deployParseShell(`exec /orgbaseline check --output "/r/$AWS_BATCH_JOB_ARRAY_INDEX.json"`, map[string]string{}); err == nil {
		t.Error("a script using an unset variable is accepted")
	}
	if _, err := deployParseShell(`/orgbaseline check | tee x`, map[string]string{}); err == nil {
		t.Error("a pipe is accepted")
	}
}

// The image: a static build, the binary as entrypoint, non-root, the
// baseline where the manifests look for it.
func TestDeployDockerfile(t *testing.T) {
	m := loadDeployManifests(t)
	d := m.docker
	build := d.stage("build")
	if build == nil {
		t.Fatal("Dockerfile: no stage named build")
	}
	// The Go of the build image is the module's.
	gomod, err := os.ReadFile(filepath.Join(deployRepo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	if want := "golang:" + string(goLine[1]); !strings.HasPrefix(build.from, want) {
		t.Errorf("build stage FROM %s, want %s (go.mod says go %s)", build.from, want, goLine[1])
	}
	if !slices.Contains(build.all("ARG"), "VERSION=dev") {
		t.Errorf("build stage: no ARG VERSION=dev")
	}
	pkg := reflect.TypeOf(app{}).PkgPath()
	_ = Version // the variable -X sets
	var goBuild string
	for _, r := range build.all("RUN") {
		if strings.Contains(r, "go build") {
			goBuild = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X ` + pkg + `.Version=${VERSION}"`, "-o /out/orgbaseline", "./cmd/orgbaseline"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("Dockerfile: the go build (%q) lacks %s", goBuild, want)
		}
	}
	if _, err := os.Stat(filepath.Join(deployRepo, "cmd", "orgbaseline", "main.go")); err != nil {
		t.Errorf("Dockerfile builds ./cmd/orgbaseline: %v", err)
	}
	final := d.final()
	if final.from != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %s, want gcr.io/distroless/static-debian12:nonroot", final.from)
	}
	for _, s := range []*deployStage{final, d.stage("shell")} {
		if s == nil {
			continue
		}
		copies := s.all("COPY")
		if !slices.Contains(copies, "--from=build /out/orgbaseline /orgbaseline") {
			t.Errorf("stage %q: the binary is not copied to /orgbaseline: %q", s.name, copies)
		}
		if !slices.Contains(copies, "baseline.yaml "+deployBaselinePath) {
			t.Errorf("stage %q: the example baseline is not copied to %s: %q", s.name, deployBaselinePath, copies)
		}
		if s.workdir != "/work" {
			t.Errorf("stage %q: WORKDIR %q, want /work", s.name, s.workdir)
		}
		uid, _, _ := strings.Cut(s.user, ":")
		if n, err := strconv.Atoi(uid); err != nil || n == 0 {
			t.Errorf("stage %q: USER %q: give a numeric non-root user, so Kubernetes can check runAsNonRoot", s.name, s.user)
		}
	}
	if !slices.Equal(final.entrypoint, []string{"/orgbaseline"}) {
		t.Errorf("ENTRYPOINT %q, want [\"/orgbaseline\"]", final.entrypoint)
	}
	if len(final.cmd) == 0 || final.cmd[0] != "check" {
		t.Errorf("CMD %q: the default run is a check", final.cmd)
	}
	if s := d.stage("shell"); s != nil {
		if !strings.HasPrefix(s.from, "gcr.io/distroless/static-debian12:debug") {
			t.Errorf("shell stage FROM %s: the distroless debug image has the busybox the scripts call", s.from)
		}
		if len(s.entrypoint) != 0 {
			t.Errorf("shell stage ENTRYPOINT %q: Batch cannot override it, so it must be empty", s.entrypoint)
		}
	}
	// What COPY names exists.
	if _, err := os.Stat(filepath.Join(deployRepo, "baseline.yaml")); err != nil {
		t.Error(err)
	}
}

// .dockerignore keeps out nothing the build needs: Go sources, go.mod,
// go.sum, files embedded with go:embed, the baseline the image copies.
func TestDeployDockerignore(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployRepo, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	type rule struct {
		re     *regexp.Regexp
		negate bool
	}
	var rules []rule
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := rule{}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		line = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(line)), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case line[i] == '*':
				re.WriteString("[^/]*")
			case line[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(line[i : i+1]))
			}
		}
		re.WriteString("(/.*)?$") // a directory excludes what is below it
		r.re = regexp.MustCompile(re.String())
		rules = append(rules, r)
	}
	excluded := func(rel string) bool {
		out := false
		for _, r := range rules {
			if r.re.MatchString(rel) {
				out = !r.negate
			}
		}
		return out
	}
	var needed []string
	err = filepath.WalkDir(deployRepo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(deployRepo, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || d.Name() == "testdata" { // go build ignores testdata
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
			needed = append(needed, rel)
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			// The files it embeds.
			for _, m := range regexp.MustCompile(`(?m)^//go:embed (.+)$`).FindAllSubmatch(src, -1) {
				for _, pattern := range strings.Fields(string(m[1])) {
					matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), pattern))
					if err != nil || len(matches) == 0 {
						return fmt.Errorf("%s: go:embed %s matches nothing", rel, pattern)
					}
					for _, f := range matches {
						r, _ := filepath.Rel(deployRepo, f)
						needed = append(needed, filepath.ToSlash(r))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	needed = append(needed, "go.mod", "go.sum", "baseline.yaml")
	if !slices.Contains(needed, "internal/report/html.tmpl") && !slices.Contains(needed, "profiles/minimal.yaml") {
		t.Errorf("the go:embed patterns were not found: %v", needed)
	}
	for _, rel := range needed {
		if excluded(rel) {
			t.Errorf(".dockerignore excludes %s, which the build needs", rel)
		}
	}
	for _, rel := range []string{".git/HEAD", "deploy/README.md", "internal/report/testdata/x"} {
		if !excluded(rel) {
			t.Errorf(".dockerignore does not exclude %s", rel)
		}
	}
}

// The Kubernetes manifests: hardened pods, the IRSA ServiceAccount, the
// baseline from the ConfigMap, the CronJob's scheduling guards, the
// sharded Job's shape.
func TestDeployKubernetes(t *testing.T) {
	m := loadDeployManifests(t)
	var sa *deployK8sObject
	configMaps := map[string]*deployK8sObject{}
	pvcs := map[string]*deployK8sObject{}
	for _, o := range m.k8s {
		switch o.Kind {
		case "ServiceAccount":
			sa = o
		case "ConfigMap":
			configMaps[o.Metadata.Name] = o
		case "PersistentVolumeClaim":
			pvcs[o.Metadata.Name] = o
		}
	}
	if sa == nil {
		t.Fatal("no ServiceAccount")
	}
	if arn := sa.Metadata.Annotations["eks.amazonaws.com/role-arn"]; !regexp.MustCompile(`^arn:aws:iam::\d{12}:role/.+`).MatchString(arn) {
		t.Errorf("ServiceAccount %s: eks.amazonaws.com/role-arn %q is not a role ARN", sa.Metadata.Name, arn)
	}
	// The baseline in the ConfigMap loads.
	for name, cm := range configMaps {
		doc, ok := cm.Data["baseline.yaml"]
		if !ok {
			t.Errorf("ConfigMap %s has no baseline.yaml", name)
			continue
		}
		p := filepath.Join(t.TempDir(), "baseline.yaml")
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := baseline.Load(p); err != nil {
			t.Errorf("ConfigMap %s: baseline.yaml does not load: %v", name, err)
		}
	}
	jobs := 0
	for _, o := range m.k8s {
		file := o.file
		js := o.jobSpec()
		if js == nil {
			continue
		}
		jobs++
		where := file + ": " + o.Kind + " " + o.Metadata.Name
		if js.Template == nil {
			t.Errorf("%s: no pod template", where)
			continue
		}
		pod := js.Template.Spec
		if pod.RestartPolicy != "Never" {
			t.Errorf("%s: restartPolicy %q: Never, so exit codes reach the Job (and podFailurePolicy works)", where, pod.RestartPolicy)
		}
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Errorf("%s: automountServiceAccountToken is not false: orgbaseline never calls the Kubernetes API", where)
		}
		if js.ActiveDeadlineSeconds == nil || *js.ActiveDeadlineSeconds <= 0 {
			t.Errorf("%s: no activeDeadlineSeconds: a hung run would hold the schedule forever", where)
		}
		if js.BackoffLimit == nil && js.BackoffLimitPerIndex == nil {
			t.Errorf("%s: no backoffLimit: Kubernetes' default retries a failing run 6 times", where)
		}
		psc := pod.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
			t.Errorf("%s: the pod's securityContext must set runAsNonRoot: true and a non-root runAsUser", where)
		}
		if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != "RuntimeDefault" {
			t.Errorf("%s: the pod's seccompProfile is not RuntimeDefault", where)
		}
		makesAWSCalls := false
		for _, kc := range append(append([]deployK8sContainer(nil), pod.InitContainers...), pod.Containers...) {
			cw := where + " container " + kc.Name
			sc := kc.SecurityContext
			if sc == nil {
				t.Errorf("%s: no securityContext", cw)
				continue
			}
			if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
				t.Errorf("%s: runAsNonRoot is not true", cw)
			}
			if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s: readOnlyRootFilesystem is not true", cw)
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: allowPrivilegeEscalation is not false", cw)
			}
			if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
				t.Errorf("%s: capabilities do not drop ALL", cw)
			}
			if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
				t.Errorf("%s: runAsUser 0", cw)
			}
			if kc.Resources.Limits["memory"] == "" || kc.Resources.Requests["memory"] == "" {
				t.Errorf("%s: no memory request and limit", cw)
			}
			if gml := deployEnvValue(kc, "GOMEMLIMIT"); gml != "" {
				soft, ok1 := deployBytes(gml)
				hard, ok2 := deployBytes(kc.Resources.Limits["memory"])
				if !ok1 || !ok2 || soft >= hard {
					t.Errorf("%s: GOMEMLIMIT %s must be below the memory limit %s", cw, gml, kc.Resources.Limits["memory"])
				}
			}
			if isOrgbaselineImage(kc.Image) {
				args := strings.Join(kc.Args, " ")
				if strings.HasPrefix(args, "apply") || strings.HasPrefix(args, "check") || strings.HasPrefix(args, "plan") {
					makesAWSCalls = true
				}
			}
		}
		if makesAWSCalls && pod.ServiceAccountName != sa.Metadata.Name {
			t.Errorf("%s: runs as ServiceAccount %q, not %q, which has the IAM role", where, pod.ServiceAccountName, sa.Metadata.Name)
		}
		for _, v := range pod.Volumes {
			if v.ConfigMap != nil && configMaps[v.ConfigMap.Name] == nil {
				t.Errorf("%s: volume %s: no ConfigMap %s in the manifests", where, v.Name, v.ConfigMap.Name)
			}
			if v.PersistentVolumeClaim != nil {
				pvc := pvcs[v.PersistentVolumeClaim.ClaimName]
				if pvc == nil {
					t.Errorf("%s: volume %s: no PersistentVolumeClaim %s in the manifests", where, v.Name, v.PersistentVolumeClaim.ClaimName)
				} else if !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
					t.Errorf("PersistentVolumeClaim %s: shared by pods on different nodes, it must be ReadWriteMany", pvc.Metadata.Name)
				}
			}
		}
		if o.Kind == "CronJob" {
			if o.Spec.ConcurrencyPolicy != "Forbid" {
				t.Errorf("%s: concurrencyPolicy %q, want Forbid: two runs must not overlap", where, o.Spec.ConcurrencyPolicy)
			}
			if o.Spec.StartingDeadlineSeconds == nil || *o.Spec.StartingDeadlineSeconds <= 0 {
				t.Errorf("%s: no startingDeadlineSeconds", where)
			}
			if len(strings.Fields(o.Spec.Schedule)) != 5 {
				t.Errorf("%s: schedule %q is not a five-field cron expression", where, o.Spec.Schedule)
			}
		}
		if js.CompletionMode == "Indexed" {
			if js.Completions == nil || js.Parallelism == nil || *js.Completions != *js.Parallelism {
				t.Errorf("%s: completions and parallelism must be equal: every shard at once", where)
			}
		}
		// The check's failing findings (exit 3) are an answer, not a
		// failure to retry.
		for _, kc := range pod.Containers {
			if !isOrgbaselineImage(kc.Image) || len(kc.Args) == 0 || kc.Args[0] != "check" {
				continue
			}
			want := "FailJob"
			if js.CompletionMode == "Indexed" {
				want = "FailIndex"
			}
			found := false
			if js.PodFailurePolicy != nil {
				for _, r := range js.PodFailurePolicy.Rules {
					if r.OnExitCodes != nil && r.OnExitCodes.ContainerName == kc.Name && r.OnExitCodes.Operator == "In" && slices.Contains(r.OnExitCodes.Values, ExitFindings) && r.Action == want {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s: no podFailurePolicy rule %s on exit code %d of container %s: failing findings would be retried", where, want, ExitFindings, kc.Name)
			}
		}
	}
	if jobs == 0 {
		t.Fatal("no CronJob or Job in the Kubernetes manifests")
	}
	// Every orgbaseline container reads the baseline from the ConfigMap.
	for _, c := range m.containers {
		if c.runner != "kubernetes" || !isOrgbaselineImage(c.image) {
			continue
		}
		for _, inv := range c.invocations() {
			if len(inv.argv) > 0 && (inv.argv[0] == "report") {
				continue
			}
			v, ok := c.mounts[deployBaselineDir]
			if !ok || v.kind != "configMap" {
				t.Errorf("%s: %s is not mounted from a ConfigMap", c.where(), deployBaselineDir)
				continue
			}
			if cm := configMaps[v.name]; cm == nil || cm.Data[filepath.Base(deployBaselinePath)] == "" {
				t.Errorf("%s: ConfigMap %s has no %s", c.where(), v.name, filepath.Base(deployBaselinePath))
			}
		}
	}
	// The CronJob applies first (an init container), then checks.
	for _, o := range m.k8s {
		if o.Kind != "CronJob" {
			continue
		}
		var applyInit, checkMain bool
		for _, c := range m.containers {
			if !strings.HasPrefix(c.name, o.Metadata.Name+"/") {
				continue
			}
			for _, inv := range c.invocations() {
				applyInit = applyInit || (c.init && inv.argv[0] == "apply")
				checkMain = checkMain || (!c.init && inv.argv[0] == "check")
			}
		}
		if !applyInit || !checkMain {
			t.Errorf("CronJob %s: want apply in an init container and check in the main container", o.Metadata.Name)
		}
	}
}

// A sharded run: the runner's indexes are the shards, each shard writes
// its own file, and the merge reads exactly those.
func TestDeploySharding(t *testing.T) {
	m := loadDeployManifests(t)
	type run struct {
		shards map[int]string // index -> output file
		volume deployVolume   // where the shards' files are
		count  int
		merges []deployContainer
	}
	runs := map[string]*run{} // by runner: "kubernetes", "batch"
	for _, c := range m.containers {
		r := runs[c.runner]
		if r == nil {
			r = &run{shards: map[int]string{}}
			runs[c.runner] = r
		}
		for _, inv := range c.invocations() {
			cmd, err := checkDeployInvocation(inv)
			if err != nil {
				t.Error(err)
				continue
			}
			switch cmd.CommandPath() {
			case "orgbaseline check":
				s := deployFlag(cmd, "shard")
				if s == "" {
					continue
				}
				sh, _ := (&app{getenv: func(k string) string { return inv.env[k] }}).parseShard(s)
				if !strings.HasPrefix(s, "auto/") {
					t.Errorf("%s: --shard %s: take the index from the runner (auto/N)", inv.where, s)
				}
				out := deployOutputs(t, cmd)["json"]
				if out == "" {
					t.Errorf("%s: a shard must write its JSON report to a file, for report merge", inv.where)
				}
				if prev, dup := r.shards[sh.Index]; dup && prev != out {
					t.Errorf("%s: shard %d writes %s and %s", inv.where, sh.Index, prev, out)
				}
				r.shards[sh.Index] = out
				r.count = sh.Count
				if v := c.volumeAt(out); v.kind == "" || v.kind == "emptyDir" || v.kind == "ephemeral" {
					t.Errorf("%s: the shard writes %s to %+v, which the merge cannot read", inv.where, out, v)
				} else if r.volume.kind != "" && v != r.volume {
					t.Errorf("%s: the shards write to different volumes: %+v and %+v", inv.where, r.volume, v)
				} else {
					r.volume = v
				}
			case "orgbaseline report merge":
				r.merges = append(r.merges, c)
			}
		}
	}
	for name, r := range runs {
		if len(r.shards) == 0 {
			if name != "ecs" {
				t.Errorf("%s: no sharded check", name)
			}
			continue
		}
		if len(r.shards) != r.count {
			t.Errorf("%s: %d shards run, --shard says %d", name, len(r.shards), r.count)
		}
		files := map[string]bool{}
		for _, f := range r.shards {
			if files[f] {
				t.Errorf("%s: two shards write %s", name, f)
			}
			files[f] = true
		}
		if len(r.merges) == 0 {
			t.Errorf("%s: no report merge of the shards", name)
		}
		for _, mc := range r.merges {
			for _, s := range mc.steps {
				if s.argv[0] != "/orgbaseline" {
					continue
				}
				// The positional arguments (globs matched against the
				// shards' files) are exactly the shards.
				cmd, rest, _ := (&app{getenv: os.Getenv}).rootCommand().Find(s.argv[1:])
				_ = cmd.ParseFlags(rest)
				got := map[string]bool{}
				for _, arg := range cmd.Flags().Args() {
					if v := mc.volumeAt(arg); v != r.volume {
						t.Errorf("%s: report merge reads %s on %+v; the shards write to %+v", mc.where(), arg, v, r.volume)
					}
					matched := false
					for f := range files {
						if ok, _ := filepath.Match(arg, f); ok {
							got[f], matched = true, true
						}
					}
					if !matched {
						t.Errorf("%s: report merge reads %s, which no shard writes", name, arg)
					}
				}
				if len(got) != len(files) {
					t.Errorf("%s: report merge reads %d of the %d shards' files", name, len(got), len(files))
				}
				outs := deployOutputs(t, cmd)
				if outs["json"] == "" || outs["html"] == "" {
					t.Errorf("%s: the merge writes no json or no html report: %v", name, outs)
				}
			}
		}
	}
	// The runners start as many indexes as there are shards.
	if a := m.batchArray; a != nil {
		if _, ok := m.batchDefs[a.JobDefinition]; !ok {
			t.Errorf("Batch array job submits job definition %q, which deploy/batch does not define", a.JobDefinition)
		}
		if r := runs["batch"]; r != nil && a.ArrayProperties.Size != r.count {
			t.Errorf("Batch array size %d, --shard count %d", a.ArrayProperties.Size, r.count)
		}
	}
}

// ECS: apply then check in one Fargate task, on a schedule.
func TestDeployECS(t *testing.T) {
	m := loadDeployManifests(t)
	e := m.ecsTask
	if e == nil {
		t.Fatal("no ECS task definition under deploy/")
	}
	if e.RuntimePlatform.OperatingSystemFamily != "LINUX" || e.RuntimePlatform.CPUArchitecture != "X86_64" {
		t.Errorf("runtimePlatform %+v, want LINUX/X86_64", e.RuntimePlatform)
	}
	if !slices.Contains(e.RequiresCompatibilities, "FARGATE") || e.NetworkMode != "awsvpc" {
		t.Errorf("requiresCompatibilities %v, networkMode %s: Fargate needs awsvpc", e.RequiresCompatibilities, e.NetworkMode)
	}
	for _, arn := range []string{e.TaskRoleArn, e.ExecutionRoleArn} {
		if !regexp.MustCompile(`^arn:aws:iam::\d{12}:role/.+`).MatchString(arn) {
			t.Errorf("%q is not a role ARN", arn)
		}
	}
	volumes := map[string]bool{}
	for _, v := range e.Volumes {
		volumes[v.Name] = true
	}
	byName := map[string]int{}
	for i, c := range e.ContainerDefinitions {
		byName[c.Name] = i
		if c.LogConfiguration == nil || c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] == "" {
			t.Errorf("container %s: logs do not go to CloudWatch (awslogs with a group)", c.Name)
		}
		if !c.ReadonlyRootFilesystem {
			t.Errorf("container %s: readonlyRootFilesystem is not true", c.Name)
		}
		if uid, _, _ := strings.Cut(c.User, ":"); uid == "" || uid == "0" || uid == "root" {
			t.Errorf("container %s: user %q is root", c.Name, c.User)
		}
		if c.LinuxParameters == nil || c.LinuxParameters.Capabilities == nil || !slices.Contains(c.LinuxParameters.Capabilities.Drop, "ALL") {
			t.Errorf("container %s: capabilities do not drop ALL", c.Name)
		}
		for _, mp := range c.MountPoints {
			if !volumes[mp.SourceVolume] {
				t.Errorf("container %s mounts %s, which the task does not declare", c.Name, mp.SourceVolume)
			}
		}
	}
	ai, ok1 := byName["apply"]
	ci, ok2 := byName["check"]
	if !ok1 || !ok2 {
		t.Fatalf("want containers apply and check, have %v", byName)
	}
	apply, check := e.ContainerDefinitions[ai], e.ContainerDefinitions[ci]
	if apply.Essential == nil || *apply.Essential {
		t.Error("apply must be essential: false (ECS refuses a SUCCESS dependency on an essential container)")
	}
	if check.Essential != nil && !*check.Essential {
		t.Error("check must be essential: the task ends with it")
	}
	if len(check.DependsOn) != 1 || check.DependsOn[0].ContainerName != "apply" || check.DependsOn[0].Condition != "SUCCESS" {
		t.Errorf("check dependsOn %+v, want apply SUCCESS", check.DependsOn)
	}
	if apply.StopTimeout < 30 {
		t.Errorf("apply stopTimeout %d: apply needs up to 30 s to finish the changes in flight after SIGTERM", apply.StopTimeout)
	}
	s := m.schedule
	if s == nil {
		t.Fatal("no EventBridge Scheduler schedule under deploy/")
	}
	if !regexp.MustCompile(`^cron\((\S+ ){5}\S+\)$`).MatchString(s.ScheduleExpression) {
		t.Errorf("ScheduleExpression %q is not a six-field cron()", s.ScheduleExpression)
	}
	if s.FlexibleTimeWindow.Mode != "OFF" && s.FlexibleTimeWindow.Mode != "FLEXIBLE" {
		t.Errorf("FlexibleTimeWindow.Mode %q", s.FlexibleTimeWindow.Mode)
	}
	ep := s.Target.EcsParameters
	if ep == nil {
		t.Fatal("the schedule's target has no EcsParameters")
	}
	if !regexp.MustCompile(`:task-definition/` + regexp.QuoteMeta(e.Family) + `(:\d+)?$`).MatchString(ep.TaskDefinitionArn) {
		t.Errorf("the schedule runs %s, not the task definition family %s", ep.TaskDefinitionArn, e.Family)
	}
	if ep.LaunchType != "FARGATE" || len(ep.NetworkConfiguration.AwsvpcConfiguration.Subnets) == 0 {
		t.Errorf("the schedule's task: launch type %q, subnets %v", ep.LaunchType, ep.NetworkConfiguration.AwsvpcConfiguration.Subnets)
	}
	if !strings.HasPrefix(s.Target.Arn, "arn:aws:ecs:") || !strings.Contains(s.Target.Arn, ":cluster/") {
		t.Errorf("the schedule's target %s is not an ECS cluster", s.Target.Arn)
	}
	if !regexp.MustCompile(`^arn:aws:iam::\d{12}:role/.+`).MatchString(s.Target.RoleArn) {
		t.Errorf("the schedule's RoleArn %q is not a role ARN", s.Target.RoleArn)
	}
}

// Batch: Fargate job definitions, shards retried on errors but not on
// failing findings.
func TestDeployBatch(t *testing.T) {
	m := loadDeployManifests(t)
	if len(m.batchDefs) == 0 || m.batchArray == nil {
		t.Fatal("want Batch job definitions and an array job submission under deploy/batch")
	}
	for name, d := range m.batchDefs {
		cp := d.ContainerProperties
		if !slices.Contains(d.PlatformCapabilities, "FARGATE") {
			t.Errorf("%s: not a Fargate job definition", name)
		}
		if !cp.ReadonlyRootFilesystem || cp.User == "" || cp.User == "0" || cp.User == "root" {
			t.Errorf("%s: want readonlyRootFilesystem and a non-root user", name)
		}
		if cp.RuntimePlatform == nil || cp.RuntimePlatform.CPUArchitecture != "X86_64" {
			t.Errorf("%s: runtimePlatform is not X86_64", name)
		}
		if cp.LogConfiguration == nil || cp.LogConfiguration.LogDriver != "awslogs" {
			t.Errorf("%s: logs do not go to CloudWatch", name)
		}
		if len(cp.Command) > 0 && cp.Command[0] == "/busybox/sh" && !strings.HasSuffix(cp.Image, "-shell") {
			t.Errorf("%s: runs /busybox/sh in %s; only the shell variant of the image (docker build --target shell) has it", name, cp.Image)
		}
		volumes := map[string]bool{}
		for _, v := range cp.Volumes {
			volumes[v.Name] = true
		}
		for _, mp := range cp.MountPoints {
			if !volumes[mp.SourceVolume] {
				t.Errorf("%s mounts %s, which it does not declare", name, mp.SourceVolume)
			}
		}
		if name == m.batchArray.JobDefinition {
			found := false
			if d.RetryStrategy != nil {
				for _, r := range d.RetryStrategy.EvaluateOnExit {
					found = found || (r.OnExitCode == strconv.Itoa(ExitFindings) && r.Action == "EXIT")
				}
			}
			if !found {
				t.Errorf("%s: no evaluateOnExit EXIT on exit code %d: failing findings would be retried", name, ExitFindings)
			}
		}
	}
}

// On a simulated organization, the manifests' own command lines: the
// CronJob's and the ECS task's apply then check, the Indexed Job's and
// the Batch array job's shards, and their merges. Paths in the containers
// are mapped to a temporary directory; the S3 upload sidecar is not run.
func TestDeployRunsOnSimulatedOrganization(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the manifests against orgsim")
	}
	m := loadDeployManifests(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 6}) // the environment points the AWS chain at it
	tmp := t.TempDir()

	// Where each container's paths live: the baseline from the ConfigMap
	// (Kubernetes) or the image (ECS, Batch), volumes by their source.
	var configMapBaseline string
	for _, o := range m.k8s {
		if o.Kind == "ConfigMap" {
			configMapBaseline = o.Data["baseline.yaml"]
		}
	}
	imageBaseline, err := os.ReadFile(filepath.Join(deployRepo, "baseline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dirOf := func(key string) string {
		d := filepath.Join(tmp, regexp.MustCompile(`[^A-Za-z0-9.-]+`).ReplaceAllString(key, "_"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	write := func(dir, content string) {
		if err := os.WriteFile(filepath.Join(dir, "baseline.yaml"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(dirOf("configmap"), configMapBaseline)
	write(dirOf("image"), string(imageBaseline))
	mapper := func(c deployContainer) func(string) string {
		roots := map[string]string{deployBaselineDir: dirOf("image")}
		for mp, v := range c.mounts {
			if v.kind == "configMap" {
				roots[mp] = dirOf("configmap")
			} else {
				roots[mp] = dirOf(v.kind + "-" + v.name)
			}
		}
		under := func(p string) (string, bool) { // the longest mount holding p
			best := ""
			for mp := range roots {
				if (p == mp || strings.HasPrefix(p, mp+"/")) && len(mp) > len(best) {
					best = mp
				}
			}
			if best == "" {
				return p, false
			}
			return roots[best] + strings.TrimPrefix(p, best), true
		}
		return func(p string) string {
			if k, v, ok := strings.Cut(p, "="); ok && strings.HasPrefix(p, "-") {
				if mapped, ok := under(v); ok {
					return k + "=" + mapped
				}
				return p
			}
			if mapped, ok := under(p); ok {
				return mapped
			}
			if strings.HasPrefix(p, "/") && p != "/orgbaseline" {
				t.Fatalf("%s: %s is on no volume: the root filesystem is read-only", c.where(), p)
			}
			return p
		}
	}
	// run runs a container's steps as its shell would; it returns the
	// exit code of the last step run.
	run := func(c deployContainer) (int, string) {
		t.Helper()
		mp := mapper(c)
		code := 0
		var log strings.Builder
		for i, s := range c.steps {
			if i > 0 && c.steps[i-1].and && code != 0 {
				continue
			}
			var argv []string
			for j, w := range s.argv {
				w = mp(w)
				if s.glob[j] {
					if matches, _ := filepath.Glob(w); len(matches) > 0 {
						argv = append(argv, matches...)
						continue
					}
				}
				argv = append(argv, w)
			}
			switch argv[0] {
			case "/orgbaseline":
				var out, errb bytes.Buffer
				a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, sleep: h.sim.Sleep, getenv: func(k string) string {
					if v, ok := c.env[k]; ok {
						return v
					}
					return os.Getenv(k)
				}}
				code = a.run(context.Background(), argv[1:])
				fmt.Fprintf(&log, "$ orgbaseline %s\n-> exit %d\n%s%s", strings.Join(argv[1:], " "), code, out.String(), errb.String())
			case "rm":
				code = 0
				for _, p := range argv[1:] {
					if p == "-f" {
						continue
					}
					if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
						code = 1
					}
				}
			case "mkdir":
				code = 0
				for _, p := range argv[1:] {
					if p != "-p" && os.MkdirAll(p, 0o755) != nil {
						code = 1
					}
				}
			default:
				t.Fatalf("%s: runs %s", c.where(), argv[0])
			}
			if s.exec {
				break
			}
		}
		return code, log.String()
	}
	want := func(c deployContainer, codes ...int) {
		t.Helper()
		code, log := run(c)
		t.Logf("%s:\n%s", c.where(), deployTail(log))
		if !slices.Contains(codes, code) {
			t.Fatalf("%s: exit %d, want one of %v\n%s", c.where(), code, codes, log)
		}
	}
	pick := func(file, name string) []deployContainer {
		var out []deployContainer
		for _, c := range m.containers {
			if c.file == file && (c.name == name || strings.HasSuffix(c.name, "/"+name)) {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			t.Fatalf("no container %s in %s", name, file)
		}
		return out
	}
	k8s := filepath.Join("deploy", "kubernetes")

	// The CronJob: apply (an init container) converges, then the check
	// finds what it finds and writes every report.
	for _, c := range pick(filepath.Join(k8s, "cronjob.yaml"), "apply") {
		want(c, ExitOK)
	}
	var whole *report.Report
	for _, c := range pick(filepath.Join(k8s, "cronjob.yaml"), "check") {
		want(c, ExitOK, ExitFindings)
		cmd, err := checkDeployInvocation(c.invocations()[0])
		if err != nil {
			t.Fatal(err)
		}
		for format, path := range deployOutputs(t, cmd) {
			b, err := os.ReadFile(mapper(c)(path))
			if err != nil || len(b) == 0 {
				t.Errorf("the CronJob's check wrote no %s report: %v", format, err)
			}
			if format == "json" {
				whole = readReport(t, mapper(c)(path))
			}
		}
	}
	if whole == nil {
		t.Fatal("the CronJob's check writes no JSON report")
	}
	// The ECS task: apply (nothing left to do) then check.
	if m.ecsTask != nil {
		want(pick(m.ecsFile, "apply")[0], ExitOK)
		want(pick(m.ecsFile, "check")[0], ExitOK, ExitFindings)
	}

	// The sharded runs: every index (after its clean-up), then the merge,
	// which must report what the whole check did.
	shardedRun := func(name string, shards []deployContainer, merge deployContainer, mergedJSON string) {
		t.Helper()
		// Each index's file, with a stale report of another run in it
		// (garbage: merging it would fail).
		stale := map[int]string{}
		for _, c := range shards {
			for _, inv := range c.invocations() {
				cmd, err := checkDeployInvocation(inv)
				if err != nil {
					t.Fatal(err)
				}
				stale[c.index] = mapper(c)(deployOutputs(t, cmd)["json"])
				if err := os.WriteFile(stale[c.index], []byte("a stale report"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(stale) == 0 {
			t.Fatalf("%s: no shard writes a JSON report", name)
		}
		for _, c := range shards {
			want(c, ExitOK, ExitFindings)
			if len(c.invocations()) == 0 { // a clean-up before the check
				if _, err := os.Stat(stale[c.index]); !os.IsNotExist(err) {
					t.Errorf("%s: the stale report %s is still there", c.where(), stale[c.index])
				}
			}
		}
		want(merge, ExitOK)
		merged := readReport(t, mergedJSON)
		if len(merged.Accounts) != len(whole.Accounts) || len(merged.Findings) != len(whole.Findings) {
			t.Errorf("%s: the merged report has %d accounts and %d findings, the whole check %d and %d", name, len(merged.Accounts), len(merged.Findings), len(whole.Accounts), len(whole.Findings))
		}
		if merged.Summary != whole.Summary {
			t.Errorf("%s: merged summary %+v, the whole check's %+v", name, merged.Summary, whole.Summary)
		}
	}
	{
		var shards []deployContainer
		for _, c := range m.containers {
			if c.file == filepath.Join(k8s, "indexed-job.yaml") && !c.sidecar {
				shards = append(shards, c) // per index: clean, then check
			}
		}
		merge := pick(filepath.Join(k8s, "merge-job.yaml"), "merge")[0]
		mergeCmd, err := checkDeployInvocation(merge.invocations()[0])
		if err != nil {
			t.Fatal(err)
		}
		shardedRun("Kubernetes Indexed Job", shards, merge, mapper(merge)(deployOutputs(t, mergeCmd)["json"]))
	}
	if m.batchArray != nil {
		shards := pick(m.batchFiles[m.batchArray.JobDefinition], m.batchArray.JobDefinition)
		var merge *deployContainer
		for _, c := range m.containers {
			for _, inv := range c.invocations() {
				if strings.HasPrefix(c.file, filepath.Join("deploy", "batch")) && inv.argv[0] == "report" {
					merge = &c
				}
			}
		}
		if merge == nil {
			t.Fatal("no Batch job definition merges the shards")
		}
		mergeCmd, err := checkDeployInvocation(merge.invocations()[0])
		if err != nil {
			t.Fatal(err)
		}
		mergedJSON := mapper(*merge)(deployOutputs(t, mergeCmd)["json"])
		shardedRun("AWS Batch array job", shards, *merge, mergedJSON)
		// The merge removed the shards' files: the next run cannot
		// merge a stale one.
		for _, c := range shards {
			for _, inv := range c.invocations() {
				cmd, _ := checkDeployInvocation(inv)
				if _, err := os.Stat(mapper(c)(deployOutputs(t, cmd)["json"])); !os.IsNotExist(err) {
					t.Errorf("%s: the shard's report is still there after the merge", c.where())
				}
			}
		}
	}
}

func deployTail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 6 {
		lines = append(lines[:3], append([]string{"..."}, lines[len(lines)-3:]...)...)
	}
	return strings.Join(lines, "\n")
}

func deployEnvValue(c deployK8sContainer, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// deployBytes reads a Kubernetes quantity or a GOMEMLIMIT (Ki, Mi, Gi,
// KiB, MiB, GiB, or plain bytes).
func deployBytes(s string) (int64, bool) {
	s = strings.TrimSuffix(s, "B")
	mult := int64(1)
	for suffix, m := range map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err == nil
}
