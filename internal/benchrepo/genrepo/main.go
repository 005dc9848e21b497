// Command genrepo writes a benchmark repository (see package benchrepo):
//
//	go run ./internal/benchrepo/genrepo -components 16000 -recipes 2000 -pipelines 1000 -sources 1000 -commits 5000 DIR
//	go run ./internal/benchrepo/genrepo -cached [flags]   # prints the folder of a cached one
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
)

func main() {
	var s benchrepo.Shape
	flag.IntVar(&s.Components, "components", 160, "components under images/components")
	flag.IntVar(&s.Recipes, "recipes", 20, "image recipes (three components each)")
	flag.IntVar(&s.Pipelines, "pipelines", 10, "pipelines (pipeline i builds recipe i)")
	flag.IntVar(&s.Sources, "sources", 10, "ordinary files outside images/")
	flag.IntVar(&s.Commits, "commits", 50, "commits after the initial import, each changing one resource")
	flag.IntVar(&s.SourcesPerCommit, "sources-per-commit", 0, "ordinary files each commit also changes")
	cached := flag.Bool("cached", false, "create the repository once in the user's cache folder (IBGITOPS_BENCH_CACHE) and print its path")
	flag.Parse()
	if *cached && flag.NArg() == 0 {
		dir, err := benchrepo.Cached(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(dir)
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genrepo [flags] DIR | genrepo -cached [flags]")
		os.Exit(2)
	}
	if err := benchrepo.Create(flag.Arg(0), s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
