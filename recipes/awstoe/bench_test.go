package awstoe_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"gopkg.in/yaml.v3"
)

// benchDocs are the feature documents plus the corpus when present; the
// benchmark counts their total size as its bytes and reports allocations.
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
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	return docs
}

// reportPerDoc adds the time per document (n documents a loop) in µs.
func reportPerDoc(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1e3, "µs/doc")
}

// BenchmarkParseValidate is what lint spends per AWSTOE document; compare
// with BenchmarkYAMLDecode (yaml.v3 alone) for the overhead ratio.
func BenchmarkParseValidate(b *testing.B) {
	docs := benchDocs(b)
	for b.Loop() {
		for _, data := range docs {
			d, _ := awstoe.Parse(data, "b.yaml")
			d.Validate(awstoe.ValidateOptions{Platform: awstoe.InferPlatform(d)})
		}
	}
	reportPerDoc(b, len(docs))
}

func BenchmarkYAMLDecode(b *testing.B) {
	docs := benchDocs(b)
	for b.Loop() {
		for _, data := range docs {
			var n yaml.Node
			_ = yaml.Unmarshal(data, &n)
		}
	}
	reportPerDoc(b, len(docs))
}
