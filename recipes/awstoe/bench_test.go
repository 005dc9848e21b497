package awstoe_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"gopkg.in/yaml.v3"
)

// benchDocs are the feature documents plus the corpus when present.
func benchDocs(b *testing.B) [][]byte {
	b.Helper()
	var docs [][]byte
	for _, glob := range []string{"testdata/valid/*.yaml", filepath.Join("..", "..", "..", "shared", "corpus", "components", "*.yaml")} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	return docs
}

// BenchmarkParseValidate is what lint spends per AWSTOE document; compare
// with BenchmarkYAMLDecode (yaml.v3 alone) for the overhead ratio.
func BenchmarkParseValidate(b *testing.B) {
	docs := benchDocs(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range docs {
			d, _ := awstoe.Parse(data, "b.yaml")
			d.Validate(awstoe.ValidateOptions{Platform: awstoe.InferPlatform(d)})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs))/1e3, "µs/doc")
}

func BenchmarkYAMLDecode(b *testing.B) {
	docs := benchDocs(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range docs {
			var n yaml.Node
			_ = yaml.Unmarshal(data, &n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs))/1e3, "µs/doc")
}
