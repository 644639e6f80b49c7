// Package assets holds kworkbook's embedded non-lesson files: the kind
// cluster configuration, add-on manifests and the list of images the
// sandbox and lessons use.
package assets

import "embed"

// FS holds every asset, by path relative to this directory.
//
//go:embed kind addons images.txt
var FS embed.FS

// KindCluster is the sandbox's kind configuration.
func KindCluster() []byte { return mustRead("kind/cluster.yaml") }

// Images lists every image the sandbox's add-ons use, in
// ../shared/offline-kind's --images format.
func Images() []byte { return mustRead("images.txt") }

func mustRead(name string) []byte {
	b, err := FS.ReadFile(name)
	if err != nil {
		panic("assets: " + name + " is embedded at build time: " + err.Error())
	}
	return b
}
