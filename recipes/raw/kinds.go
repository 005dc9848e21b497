package raw

// Component is a Component file.
type Component struct {
	Versioned           `yaml:",inline"`
	Platform            Value[string] `yaml:"platform"`
	ChangeDescription   Value[string] `yaml:"changeDescription"`
	SupportedOsVersions StringList    `yaml:"supportedOsVersions"`
	KmsKeyID            Value[string] `yaml:"kmsKeyId"`
	Document            Document      `yaml:"document"`
	DocumentFile        Value[string] `yaml:"documentFile"`
}

// Recipe are the keys image and container recipes share.
type Recipe struct {
	Versioned        `yaml:",inline"`
	ParentImage      Value[string]                 `yaml:"parentImage"`
	Components       Value[[]Value[*ComponentRef]] `yaml:"components"`
	WorkingDirectory Value[string]                 `yaml:"workingDirectory"`
	Local            Value[*LocalRecipe]           `yaml:"local"`
}

// ComponentRef is one entry of a recipe's components.
type ComponentRef struct {
	Name       Value[string] `yaml:"name"`
	ARN        Value[string] `yaml:"arn"`
	Version    Value[string] `yaml:"version"`
	Parameters ParamMap      `yaml:"parameters"`
}

// LocalRecipe is a recipe's local: section (local backend only).
type LocalRecipe struct {
	ParentImage Value[string] `yaml:"parentImage"`
}

// ImageRecipe is an ImageRecipe file.
type ImageRecipe struct {
	Recipe                          `yaml:",inline"`
	BlockDeviceMappings             Value[[]Value[*BlockDeviceMapping]]     `yaml:"blockDeviceMappings"`
	AdditionalInstanceConfiguration Value[*AdditionalInstanceConfiguration] `yaml:"additionalInstanceConfiguration"`
	AMITags                         StringMap                               `yaml:"amiTags"`
}

// AdditionalInstanceConfiguration of an image recipe.
type AdditionalInstanceConfiguration struct {
	SystemsManagerAgent Value[*struct {
		UninstallAfterBuild Value[bool] `yaml:"uninstallAfterBuild"`
	}] `yaml:"systemsManagerAgent"`
	UserDataOverride Value[string] `yaml:"userDataOverride"`
}

// BlockDeviceMapping of a build instance.
type BlockDeviceMapping struct {
	DeviceName  Value[string] `yaml:"deviceName"`
	EBS         Value[*EBS]   `yaml:"ebs"`
	VirtualName Value[string] `yaml:"virtualName"`
	NoDevice    Value[string] `yaml:"noDevice"`
}

// EBS settings of a block device mapping.
type EBS struct {
	Encrypted           Value[bool]   `yaml:"encrypted"`
	DeleteOnTermination Value[bool]   `yaml:"deleteOnTermination"`
	IOPS                Value[int]    `yaml:"iops"`
	KmsKeyID            Value[string] `yaml:"kmsKeyId"`
	SnapshotID          Value[string] `yaml:"snapshotId"`
	VolumeSize          Value[int]    `yaml:"volumeSize"`
	VolumeType          Value[string] `yaml:"volumeType"`
	Throughput          Value[int]    `yaml:"throughput"`
}

// ContainerRecipe is a ContainerRecipe file.
type ContainerRecipe struct {
	Recipe                 `yaml:",inline"`
	ContainerType          Value[string]                 `yaml:"containerType"`
	DockerfileTemplate     Value[string]                 `yaml:"dockerfileTemplate"`
	DockerfileTemplateFile Value[string]                 `yaml:"dockerfileTemplateFile"`
	TargetRepository       Value[*TargetRepository]      `yaml:"targetRepository"`
	InstanceConfiguration  Value[*InstanceConfiguration] `yaml:"instanceConfiguration"`
	PlatformOverride       Value[string]                 `yaml:"platformOverride"`
	ImageOsVersionOverride Value[string]                 `yaml:"imageOsVersionOverride"`
	KmsKeyID               Value[string]                 `yaml:"kmsKeyId"`
}

// TargetRepository is an ECR repository images are pushed to.
type TargetRepository struct {
	Service        Value[string] `yaml:"service"`
	RepositoryName Value[string] `yaml:"repositoryName"`
}

// InstanceConfiguration is a container recipe's build instance.
type InstanceConfiguration struct {
	Image               Value[string]                       `yaml:"image"`
	BlockDeviceMappings Value[[]Value[*BlockDeviceMapping]] `yaml:"blockDeviceMappings"`
}

// Infrastructure is an InfrastructureConfiguration file.
type Infrastructure struct {
	Meta                `yaml:",inline"`
	InstanceProfileName Value[string] `yaml:"instanceProfileName"`
	InstanceTypes       StringList    `yaml:"instanceTypes"`
	SecurityGroupIDs    StringList    `yaml:"securityGroupIds"`
	SubnetID            Value[string] `yaml:"subnetId"`
	Logging             Value[*struct {
		S3Logs Value[*struct {
			S3BucketName Value[string] `yaml:"s3BucketName"`
			S3KeyPrefix  Value[string] `yaml:"s3KeyPrefix"`
		}] `yaml:"s3Logs"`
	}] `yaml:"logging"`
	KeyPair                    Value[string] `yaml:"keyPair"`
	TerminateInstanceOnFailure Value[bool]   `yaml:"terminateInstanceOnFailure"`
	SNSTopicARN                Value[string] `yaml:"snsTopicArn"`
	ResourceTags               StringMap     `yaml:"resourceTags"`
	InstanceMetadataOptions    Value[*struct {
		HTTPTokens              Value[string] `yaml:"httpTokens"`
		HTTPPutResponseHopLimit Value[int]    `yaml:"httpPutResponseHopLimit"`
	}] `yaml:"instanceMetadataOptions"`
	Placement Value[*struct {
		AvailabilityZone     Value[string] `yaml:"availabilityZone"`
		Tenancy              Value[string] `yaml:"tenancy"`
		HostID               Value[string] `yaml:"hostId"`
		HostResourceGroupARN Value[string] `yaml:"hostResourceGroupArn"`
	}] `yaml:"placement"`
}

// Distribution is a DistributionConfiguration file.
type Distribution struct {
	Meta          `yaml:",inline"`
	Distributions Value[[]Value[*RegionDistribution]] `yaml:"distributions"`
	Local         Value[*LocalDistribution]           `yaml:"local"`
}

// LocalDistribution is a distribution's local: section (local backend only).
type LocalDistribution struct {
	Images   StringList    `yaml:"images"`
	Registry Value[string] `yaml:"registry"`
	Export   Value[bool]   `yaml:"export"`
}

// RegionDistribution is one entry of distributions: (one Region).
type RegionDistribution struct {
	Region                             Value[string]                              `yaml:"region"`
	AMIDistributionConfiguration       Value[*AMIDistributionConfiguration]       `yaml:"amiDistributionConfiguration"`
	ContainerDistributionConfiguration Value[*ContainerDistributionConfiguration] `yaml:"containerDistributionConfiguration"`
	LicenseConfigurationARNs           StringList                                 `yaml:"licenseConfigurationArns"`
	LaunchTemplateConfigurations       Value[[]Value[*struct {
		LaunchTemplateID  Value[string] `yaml:"launchTemplateId"`
		AccountID         Value[string] `yaml:"accountId"`
		SetDefaultVersion Value[bool]   `yaml:"setDefaultVersion"`
	}]] `yaml:"launchTemplateConfigurations"`
	S3ExportConfiguration Value[*struct {
		RoleName        Value[string] `yaml:"roleName"`
		DiskImageFormat Value[string] `yaml:"diskImageFormat"`
		S3Bucket        Value[string] `yaml:"s3Bucket"`
		S3Prefix        Value[string] `yaml:"s3Prefix"`
	}] `yaml:"s3ExportConfiguration"`
	FastLaunchConfigurations   Value[[]Value[*FastLaunchConfiguration]] `yaml:"fastLaunchConfigurations"`
	SSMParameterConfigurations Value[[]Value[*struct {
		AMIAccountID  Value[string] `yaml:"amiAccountId"`
		ParameterName Value[string] `yaml:"parameterName"`
		DataType      Value[string] `yaml:"dataType"`
	}]] `yaml:"ssmParameterConfigurations"`
}

// AMIDistributionConfiguration is how the AMI is named and shared in a Region.
type AMIDistributionConfiguration struct {
	Name             Value[string] `yaml:"name"`
	Description      Value[string] `yaml:"description"`
	TargetAccountIDs StringList    `yaml:"targetAccountIds"`
	AMITags          StringMap     `yaml:"amiTags"`
	KmsKeyID         Value[string] `yaml:"kmsKeyId"`
	LaunchPermission Value[*struct {
		UserIDs                StringList `yaml:"userIds"`
		UserGroups             StringList `yaml:"userGroups"`
		OrganizationARNs       StringList `yaml:"organizationArns"`
		OrganizationalUnitARNs StringList `yaml:"organizationalUnitArns"`
	}] `yaml:"launchPermission"`
}

// ContainerDistributionConfiguration is where a container image is pushed in a Region.
type ContainerDistributionConfiguration struct {
	Description      Value[string]            `yaml:"description"`
	ContainerTags    StringList               `yaml:"containerTags"`
	TargetRepository Value[*TargetRepository] `yaml:"targetRepository"`
}

// FastLaunchConfiguration of a Windows AMI.
type FastLaunchConfiguration struct {
	Enabled               Value[bool] `yaml:"enabled"`
	SnapshotConfiguration Value[*struct {
		TargetResourceCount Value[int] `yaml:"targetResourceCount"`
	}] `yaml:"snapshotConfiguration"`
	MaxParallelLaunches Value[int] `yaml:"maxParallelLaunches"`
	LaunchTemplate      Value[*struct {
		LaunchTemplateID      Value[string] `yaml:"launchTemplateId"`
		LaunchTemplateName    Value[string] `yaml:"launchTemplateName"`
		LaunchTemplateVersion Value[string] `yaml:"launchTemplateVersion"`
	}] `yaml:"launchTemplate"`
	AccountID Value[string] `yaml:"accountId"`
}

// Pipeline is an ImagePipeline file.
type Pipeline struct {
	Meta                        `yaml:",inline"`
	ImageRecipe                 Value[string] `yaml:"imageRecipe"`
	ContainerRecipe             Value[string] `yaml:"containerRecipe"`
	InfrastructureConfiguration Value[string] `yaml:"infrastructureConfiguration"`
	DistributionConfiguration   Value[string] `yaml:"distributionConfiguration"`
	ImageTestsConfiguration     Value[*struct {
		ImageTestsEnabled Value[bool] `yaml:"imageTestsEnabled"`
		TimeoutMinutes    Value[int]  `yaml:"timeoutMinutes"`
	}] `yaml:"imageTestsConfiguration"`
	EnhancedImageMetadataEnabled Value[bool]      `yaml:"enhancedImageMetadataEnabled"`
	Schedule                     Value[*Schedule] `yaml:"schedule"`
	Status                       Value[string]    `yaml:"status"`
	ImageTags                    StringMap        `yaml:"imageTags"`
	ImageScanningConfiguration   Value[*struct {
		ImageScanningEnabled Value[bool] `yaml:"imageScanningEnabled"`
		ECRConfiguration     Value[*struct {
			RepositoryName Value[string] `yaml:"repositoryName"`
			ContainerTags  StringList    `yaml:"containerTags"`
		}] `yaml:"ecrConfiguration"`
	}] `yaml:"imageScanningConfiguration"`
	Workflows            Value[[]Value[*Workflow]] `yaml:"workflows"`
	ExecutionRole        Value[string]             `yaml:"executionRole"`
	LoggingConfiguration Value[*struct {
		ImageLogGroupName    Value[string] `yaml:"imageLogGroupName"`
		PipelineLogGroupName Value[string] `yaml:"pipelineLogGroupName"`
	}] `yaml:"loggingConfiguration"`
}

// Schedule of a pipeline.
type Schedule struct {
	ScheduleExpression              Value[string] `yaml:"scheduleExpression"`
	Timezone                        Value[string] `yaml:"timezone"`
	PipelineExecutionStartCondition Value[string] `yaml:"pipelineExecutionStartCondition"`
	AutoDisablePolicy               Value[*struct {
		FailureCount Value[int] `yaml:"failureCount"`
	}] `yaml:"autoDisablePolicy"`
}

// Workflow is one entry of a pipeline's workflows.
type Workflow struct {
	WorkflowARN Value[string] `yaml:"workflowArn"`
	Parameters  Value[[]Value[*struct {
		Name  Value[string] `yaml:"name"`
		Value StringList    `yaml:"value"`
	}]] `yaml:"parameters"`
	ParallelGroup Value[string] `yaml:"parallelGroup"`
	OnFailure     Value[string] `yaml:"onFailure"`
}

// Config is ibgitops.yaml.
type Config struct {
	Root    Value[string] `yaml:"root"`
	Backend Value[string] `yaml:"backend"`
	AWS     Value[*struct {
		Region Value[string] `yaml:"region"`
	}] `yaml:"aws"`
	Local Value[*struct {
		Engine     Value[string] `yaml:"engine"`
		Store      Value[string] `yaml:"store"`
		Components StringMap     `yaml:"components"`
	}] `yaml:"local"`
	Versioning Value[*struct {
		Bump      Value[string] `yaml:"bump"`
		Propagate Value[bool]   `yaml:"propagate"`
	}] `yaml:"versioning"`
	Release Value[*struct {
		TagPattern Value[string] `yaml:"tagPattern"`
	}] `yaml:"release"`
	Report Value[*struct {
		Comment  Value[string] `yaml:"comment"`
		Statuses Value[string] `yaml:"statuses"`
	}] `yaml:"report"`
}
