package ibfake

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
)

// Client is a real Image Builder SDK client pointed at url (a fake's HTTP
// server), for tests: region us-east-1, static made-up credentials the
// fake accepts, and retryer (nil keeps the SDK's standard one).
func Client(url string, retryer aws.Retryer) *imagebuilder.Client {
	return imagebuilder.New(imagebuilder.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAKE", "fakesecret", ""),
		Retryer:      retryer,
	})
}
